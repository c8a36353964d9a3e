import { EventEmitter } from 'node:events';
import type { NetworkName } from '../../../lib/protocol/native';
import type { SignallingMessage } from '../../../lib/protocol/signalling';
import type { ServiceName } from './service-preamble';

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

// A framed byte stream: each write arrives whole, as one 'data' event, at the other side. A
// secret stream is one; a network of plain byte streams (TCP) would prefix each write with its
// length. What runs on it (Protomux, for sites) needs no more than this.
export interface FramedStream {
  readonly destroyed: boolean;
  write(data: Uint8Array): boolean;
  end(): void;
  destroy(err?: Error): void;
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close' | 'end' | 'drain', listener: () => void): unknown;
}

// A connection to one service of a node other than calls: today 'site', the web site a node
// publishes. It is an overlay connection of its own, found, authenticated and routed exactly
// as a call's (on HyperDHT in private mode: through a relay; on Staex: to the node's Staex
// address), and one serves many requests.
export interface ServiceConnection {
  readonly remoteKey: Buffer;
  readonly route: Route | null;
  readonly service: ServiceName;
  readonly stream: FramedStream;
}

export interface Backend {
  readonly name: string;
  // The local UDP port the network listens on, for `status`; null before it is up.
  readonly port: number | null;
  // `onService` takes connections made with openService() (absent: they are refused).
  listen(onLink: (link: PeerLink) => void, onService?: (connection: ServiceConnection) => void): Promise<void>;
  // `peer`: what else is known of the node; a network that needs more than the key to find it
  // (Staex) cannot reach a node without it.
  connect(remoteKey: Buffer, signal: AbortSignal, peer?: PeerAddress): Promise<PeerLink>;
  // A connection to `service` of the node with this key, under the same rules as connect(): the
  // same network choice, path policy and key check, the same errors (PeerUnreachable) when it
  // cannot be reached.
  openService(remoteKey: Buffer, service: ServiceName, signal: AbortSignal, peer?: PeerAddress): Promise<ServiceConnection>;
  // A link under an answered call failed (it closed, or carried nothing for too long), and the
  // call is about to look for a new one: the network may hold it against the path the link took.
  linkLost?(link: PeerLink): void;
  close(): Promise<void>;
}
