import type { PeerLink } from '../network/backend';
import type { TurnBinding } from '../turn/server';
import { MAX_MEDIA_PAYLOAD, decodeMediaDatagram, encodeMediaDatagram } from './media-datagram';

// What the call engine needs of the node's TURN server.
export interface TurnRelay {
  readonly port: number;
  addUser(username: string, password: string, binding: TurnBinding): void;
  removeUser(username: string): void;
  deliver(username: string, fromPort: number, toPort: number, data: Uint8Array): boolean;
}

export interface RelayCredentials {
  user: string;
  password: string;
  relayIp: string;
  peerIp: string;
}

// One call's media between its TURN credential and its overlay link. This is the path
// every media packet takes in both directions, so the handlers are bound once per call
// and a packet costs a lookup of `_link`, never a new function.
export class MediaRelay {
  readonly credentials: RelayCredentials;
  // The last datagram from the peer: media keeps a call alive as well as pings do.
  lastHeard: number;
  private readonly _turn: TurnRelay;
  private readonly _now: () => number;
  private _link: PeerLink | null = null;
  private _active = false;
  private readonly _binding: TurnBinding;
  private readonly _receive: (data: Buffer) => void;

  constructor(turn: TurnRelay, credentials: RelayCredentials, now: () => number) {
    this._turn = turn;
    this.credentials = credentials;
    this._now = now;
    this.lastHeard = now();
    this._receive = this._ondatagram.bind(this);
    this._binding = {
      relayIp: credentials.relayIp,
      peerIp: credentials.peerIp,
      maxPayload: MAX_MEDIA_PAYLOAD,
      send: this._send.bind(this),
    };
  }

  get active(): boolean {
    return this._active;
  }

  // Datagrams count as signs of life from the moment a link is attached, answered or not.
  attach(link: PeerLink): void {
    this.detach();
    this._link = link;
    link.on('datagram', this._receive);
  }

  detach(): void {
    this._link?.off('datagram', this._receive);
    this._link = null;
  }

  // Media flows only while the call is answered: the credential exists at the TURN server
  // only in between.
  start(): void {
    this._turn.addUser(this.credentials.user, this.credentials.password, this._binding);
    this._active = true;
  }

  stop(): void {
    if (this._active) this._turn.removeUser(this.credentials.user);
    this._active = false;
  }

  private _send(from: number, to: number, data: Uint8Array): void {
    this._link?.sendDatagram(encodeMediaDatagram(from, to, data));
  }

  private _ondatagram(data: Buffer): void {
    this.lastHeard = this._now();
    if (!this._active) return;
    try {
      const d = decodeMediaDatagram(data);
      this._turn.deliver(this.credentials.user, d.from, d.to, d.payload);
    } catch {
      // Counted by the TURN side's stats as nothing delivered; a bad datagram costs only itself.
    }
  }
}
