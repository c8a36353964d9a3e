import type { PeerLink } from '../network/backend';
import type { TurnBinding } from '../turn/server';
import {
  KIND_PIECE,
  MAX_DATAGRAM,
  MAX_MEDIA_PAYLOAD,
  MAX_SPLIT_PAYLOAD,
  decodeMediaPiece,
  deliverMediaDatagram,
  sendInPieces,
  writeMediaDatagram,
} from './media-datagram';
import { PieceJoiner } from './media-pieces';

// What the call engine needs of the node's TURN server.
export interface TurnRelay {
  readonly port: number;
  addUser(username: string, password: string, binding: TurnBinding): void;
  removeUser(username: string): void;
  // `headroom`: bytes in front of `data` the relay may overwrite to frame it without a copy.
  deliver(username: string, fromPort: number, toPort: number, data: Uint8Array, headroom?: number): boolean;
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
  private _turn: TurnRelay;
  private readonly _now: () => number;
  private _link: PeerLink | null = null;
  private _active = false;
  private readonly _binding: TurnBinding;
  private readonly _receive: (data: Buffer) => void;
  // secret-stream has encrypted a datagram into its own envelope by the time sendDatagram
  // returns, so one buffer per call serves every packet it sends.
  private readonly _scratch = Buffer.allocUnsafe(MAX_DATAGRAM);
  // Payloads over one datagram (rare: DTLS handshake flights) go in pieces; see media-datagram.ts.
  private _pieceId = 0;
  private readonly _pieces = new PieceJoiner();
  private readonly _sendPiece: (datagram: Uint8Array) => void;

  constructor(turn: TurnRelay, credentials: RelayCredentials, now: () => number) {
    this._turn = turn;
    this.credentials = credentials;
    this._now = now;
    this.lastHeard = now();
    this._receive = this._ondatagram.bind(this);
    this._sendPiece = (d) => this._link?.sendDatagram(d);
    this._binding = {
      relayIp: credentials.relayIp,
      peerIp: credentials.peerIp,
      maxPayload: MAX_SPLIT_PAYLOAD,
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

  // Moves the credential to another TURN server (a Firefox call's own listener), so media
  // from then on goes through that one only.
  useServer(turn: TurnRelay): void {
    if (turn === this._turn) return;
    if (this._active) {
      this._turn.removeUser(this.credentials.user);
      turn.addUser(this.credentials.user, this.credentials.password, this._binding);
    }
    this._turn = turn;
  }

  stop(): void {
    if (this._active) this._turn.removeUser(this.credentials.user);
    this._active = false;
  }

  private _send(from: number, to: number, data: Uint8Array): void {
    const link = this._link;
    if (link === null) return;
    if (data.byteLength > MAX_MEDIA_PAYLOAD) {
      this._pieceId = (this._pieceId + 1) & 0xff;
      return sendInPieces(this._scratch, from, to, this._pieceId, data, this._sendPiece);
    }
    const length = writeMediaDatagram(this._scratch, from, to, data);
    link.sendDatagram(this._scratch.subarray(0, length));
  }

  private _ondatagram(data: Buffer): void {
    this.lastHeard = this._now();
    if (!this._active) return;
    try {
      if (data[0] === KIND_PIECE) {
        const whole = this._pieces.add(decodeMediaPiece(data), this.lastHeard);
        if (whole) this._turn.deliver(this.credentials.user, whole.from, whole.to, whole.payload);
        return;
      }
      // Frames the payload in place, over the datagram's own header: this relay is the
      // link's only 'datagram' listener, so nobody else reads these bytes afterwards.
      deliverMediaDatagram(data, this._turn, this.credentials.user);
    } catch {
      // Counted by the TURN side's stats as nothing delivered; a bad datagram costs only itself.
    }
  }
}
