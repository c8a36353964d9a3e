import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { enlargeBuffers } from '../network/socket-buffers';
import { isStunError } from './errors';
import { handleStun } from './handlers';
import { deliverToClient, relayChannelData } from './relay';
import { TurnState } from './state';
import { checkFingerprint } from './stun/fingerprint';
import { isLoopback } from './stun/ip';
import { StunMessage, toBuffer } from './stun/message';
import type { ClientAddress, TurnBinding, TurnServerOptions, TurnStats } from './types';
import { makeUser } from './user';

export type { TurnBinding, TurnServerOptions, TurnStats } from './types';

// The node's local TURN server (RFC 5766/8656 over UDP, the subset Chromium's WebRTC uses).
// The call tab's RTCPeerConnection talks only to it (iceTransportPolicy 'relay'); what the
// browser relays goes to binding.send() towards the overlay, and what the overlay brings
// back comes in through deliver(). Relayed addresses are virtual: no socket exists for
// them, only this one socket facing the browser on loopback.

/** How often expired allocations, permissions and channels are forgotten. */
export const SWEEP_INTERVAL_MS = 5_000;

// dgram runs every destination through dns.lookup, which even for an IP literal costs a
// closure and a deferred callback per datagram. This socket only ever binds to and sends to
// IP literals (its host, and client addresses as the socket reported them), so they are
// passed through at once; anything else is refused rather than resolved.
function literalLookup(
  address: string,
  _options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(address);
  if (family === 0) callback(Object.assign(new Error(`${address} is not an IP address`), { code: 'EINVAL' }), address, 0);
  else callback(null, address, family);
}

export class TurnServer {
  readonly host: string;
  // Non-null for a listener on a non-loopback address: the only sources it answers.
  private readonly onlyFrom: ReadonlySet<string> | null;
  private readonly requestedPort: number;
  private readonly state: TurnState;
  private socket: Socket | null = null;
  private sweepTimer: ReturnType<typeof setInterval> | null = null;
  private listening: Promise<number> | null = null;
  private closing: Promise<void> | null = null;
  private boundPort = 0;

  constructor(opts: TurnServerOptions = {}) {
    const host = opts.host ?? '127.0.0.1';
    // The server trusts nothing but it is still meant for the local browser only: binding
    // elsewhere would offer an open relay into the overlay to the network. A non-loopback
    // address (Firefox refuses loopback TURN servers) is allowed only together with the list
    // of this machine's own addresses, the only sources such a listener answers.
    if (!isIP(host)) throw new TypeError(`TURN host ${host} is not an IP address`);
    if (!isLoopback(host)) {
      if (!opts.onlyFrom) throw new TypeError(`TURN host ${host} is not a loopback address`);
      if (!opts.onlyFrom.has(host)) throw new TypeError(`TURN host ${host} is not one of this machine's addresses`);
    }
    this.onlyFrom = opts.onlyFrom ? new Set(opts.onlyFrom) : null;
    const port = opts.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new TypeError(`bad TURN port ${port}`);
    this.host = host;
    this.requestedPort = port;
    this.state = new TurnState(opts.realm ?? 'copybara', opts.now ?? Date.now, opts.log);
    this.state.sendTo = (data, client) => this.sendTo(data, client);
  }

  /** Binds the UDP socket; resolves with its port. Calling it again returns the same promise. */
  listen(): Promise<number> {
    if (this.listening) return this.listening;
    if (this.closing) return Promise.reject(new Error('TURN server is closed'));
    this.listening = new Promise<number>((resolve, reject) => {
      const socket = createSocket({ type: isIP(this.host) === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
      this.socket = socket;
      let bound = false;
      socket.on('message', (msg, rinfo) => this.handleDatagram(msg, rinfo.address, rinfo.port));
      socket.on('error', (err) => {
        if (!bound) {
          reject(err);
          return;
        }
        this.state.log.line('socket-error', `socket error: ${err.message}`);
      });
      socket.once('close', () => {
        if (!bound) reject(new Error('TURN server closed before it was listening'));
      });
      socket.once('listening', () => {
        bound = true;
        this.boundPort = socket.address().port;
        enlargeBuffers(socket);
        this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
        this.sweepTimer.unref();
        resolve(this.boundPort);
      });
      socket.bind({ port: this.requestedPort, address: this.host, exclusive: true });
    });
    return this.listening;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Registers a call's credential. An existing username is replaced and its allocations freed. */
  addUser(username: string, password: string, binding: TurnBinding): void {
    const user = makeUser(username, password, this.state.realm, binding);
    this.removeUser(username);
    this.state.users.set(username, user);
  }

  /** Forgets the credential and frees its allocations at once. */
  removeUser(username: string): void {
    const user = this.state.users.get(username);
    if (!user) return;
    this.state.users.delete(username);
    for (const alloc of [...user.allocations]) this.state.allocations.remove(alloc);
  }

  /**
   * A datagram from the peer's node: from binding.peerIp:fromPort to the allocation of
   * `username` whose relayed port is `toPort`. True if it was handed to the client.
   * With `headroom` >= 4 the caller hands over `data` and the 4 bytes before it (in the same
   * ArrayBuffer) so that ChannelData is framed in place, without a copy; neither may be
   * changed afterwards. See deliverToClient.
   */
  deliver(username: string, fromPort: number, toPort: number, data: Uint8Array, headroom = 0): boolean {
    if (this.closing) return false;
    try {
      return deliverToClient(this.state, username, fromPort, toPort, data, headroom);
    } catch (err) {
      this.state.drop('internal', `internal error delivering to ${username}: ${String(err)}`);
      return false;
    }
  }

  stats(): TurnStats {
    this.sweep();
    return { allocations: this.state.allocations.size, users: this.state.users.size, ...this.state.counters };
  }

  /** Forgets whatever has expired by now(); also run every SWEEP_INTERVAL_MS. */
  sweep(): void {
    this.state.allocations.sweep(this.state.now());
  }

  /**
   * One datagram from a client. Public so tests (and fuzzers) can drive the server without
   * a socket; never throws.
   */
  handleDatagram(data: Uint8Array, address: string, port: number): void {
    if (this.closing) return;
    if (this.onlyFrom !== null && !this.onlyFrom.has(address)) {
      // Another machine (a LAN neighbour): not a byte back, not even a 401 challenge, so it
      // cannot tell this port from a closed one.
      this.state.drop('stranger', `${data.length}-byte datagram from ${address}:${port}, not an address of this machine`);
      return;
    }
    const buf = toBuffer(data);
    try {
      // RFC 5766 §11: "the first two bits ... are 0b00 for STUN messages and 0b01 for
      // ChannelData messages"; values 0b10 and 0b11 are neither.
      const top = buf.length > 0 ? buf[0]! & 0xc0 : -1;
      if (top === 0x40) {
        // The media path: the client's address is only looked up, never kept, so no
        // ClientAddress object is made for it.
        relayChannelData(this.state, buf, address, port);
      } else if (top === 0x00) {
        const client: ClientAddress = { address, port, family: address.includes(':') ? 6 : 4 };
        const msg = StunMessage.decode(buf);
        // RFC 5389 §7.3: the FINGERPRINT, when present, must be right; "If any errors are
        // detected, the message is silently discarded."
        if (checkFingerprint(msg) === 'invalid') this.state.drop('bad-fingerprint', `bad FINGERPRINT from ${address}:${port}`);
        else handleStun(this.state, msg, client);
      } else {
        this.state.drop('not-turn', `${buf.length}-byte datagram from ${address}:${port} is neither STUN nor ChannelData`);
      }
    } catch (err) {
      if (isStunError(err)) {
        this.state.drop(`malformed:${err.code}`, `malformed datagram from ${address}:${port}: ${err.message}`);
      } else {
        // A bug of ours or a throwing binding.send(): contain it to this one datagram.
        this.state.drop('internal', `internal error on a datagram from ${address}:${port}: ${String(err)}`);
      }
    }
  }

  private sendTo(data: Buffer, client: ClientAddress): void {
    const socket = this.socket;
    if (!socket || this.closing || this.boundPort === 0) return;
    try {
      // No callback: an asynchronous send failure surfaces as the socket's 'error' event,
      // logged above; a callback per packet would only cost on the hot path.
      socket.send(data, client.port, client.address);
    } catch (err) {
      this.state.log.line('send-error', `send to ${client.address}:${client.port} failed: ${String(err)}`);
    }
  }

  /** Closes the socket and clears every timer and allocation. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.sweepTimer) clearInterval(this.sweepTimer);
      this.sweepTimer = null;
      this.state.allocations.clear();
      this.state.users.clear();
      const socket = this.socket;
      this.socket = null;
      if (!socket) {
        resolve();
        return;
      }
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // already closed (e.g. bind failed)
      }
    });
    return this.closing;
  }
}
