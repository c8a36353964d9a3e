import { EventEmitter } from 'node:events';
import type { NetworkName } from '../../../lib/protocol/native';
import type { SignallingMessage } from '../../../lib/protocol/signalling';

export type { NetworkName };

// What the call layer needs from a network: reach a node by its key over an authenticated,
// encrypted connection that carries ordered signalling messages and unordered datagrams.
// HyperDHT (embedded) implements it; Staex's mcc-public can implement it too.

export interface PeerLinkEvents {
  message: (message: SignallingMessage) => void;
  datagram: (data: Buffer) => void;
  close: (reason: string) => void;
}

// How a link runs: through a blind relay (its key), or directly (null); and on which network
// (absent: the embedded HyperDHT one).
export interface Route {
  relay: Buffer | null;
  network?: NetworkName;
}

// What a caller knows of a node besides its key: its Staex node id (the `staex-id` record of
// its name), and which network the person prefers for the call (absent: the node's default).
export interface PeerAddress {
  staexId?: string | null;
  network?: NetworkName | null;
}

export interface PeerLink {
  readonly remoteKey: Buffer;
  // null when the network cannot tell.
  readonly route: Route | null;
  // Round-trip time in milliseconds as the transport measures it; null when unknown.
  readonly rttMs: number | null;
  readonly closed: boolean;
  send(message: SignallingMessage): void;
  sendDatagram(data: Uint8Array): void;
  on<E extends keyof PeerLinkEvents>(event: E, listener: PeerLinkEvents[E]): this;
  off<E extends keyof PeerLinkEvents>(event: E, listener: PeerLinkEvents[E]): this;
  // Flushes what was sent, then closes.
  close(): void;
}

// EventEmitter with the link's events typed: what every PeerLink (and every test fake of
// one) extends.
export class PeerLinkEmitter extends EventEmitter {
  override on<E extends keyof PeerLinkEvents>(event: E, listener: PeerLinkEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof PeerLinkEvents>(event: E, listener: PeerLinkEvents[E]): this {
    return super.off(event, listener);
  }
}

export interface Backend {
  readonly name: string;
  // The local UDP port the network listens on, for `status`; null before it is up.
  readonly port: number | null;
  listen(onLink: (link: PeerLink) => void): Promise<void>;
  // `peer`: what else is known of the node; a network that needs more than the key to find it
  // (Staex) cannot reach a node without it.
  connect(remoteKey: Buffer, signal: AbortSignal, peer?: PeerAddress): Promise<PeerLink>;
  // A link under an answered call failed (it closed, or carried nothing for too long), and the
  // call is about to look for a new one: the network may hold it against the path the link took.
  linkLost?(link: PeerLink): void;
  close(): Promise<void>;
}
