import type { ClientAddress } from './types';
import type { TurnUser } from './user';

// RFC 5766 §5: an allocation is the client's 5-tuple, a relayed transport address, a
// time-to-expiry, a list of permissions and a list of channel bindings. Our relayed
// addresses are virtual (binding.relayIp : port): no socket exists behind them.

// RFC 5766 §2.2: allocations live 10 minutes unless refreshed; §6.2: "It is
// RECOMMENDED that the server use a maximum allowed lifetime value of no more than 3600
// seconds (1 hour)."
export const DEFAULT_LIFETIME_S = 600;
export const MAX_LIFETIME_S = 3600;
// RFC 5766 §8: "The Permission Lifetime MUST be 300 seconds (= 5 minutes)."
export const PERMISSION_LIFETIME_MS = 300_000;
// RFC 5766 §11: "a channel binding lasts for 10 minutes unless refreshed".
export const CHANNEL_LIFETIME_MS = 600_000;

/**
 * RFC 5766 §6.2: "If the request contains a LIFETIME attribute, then the server computes
 * the minimum of the client's proposed lifetime and the server's maximum allowed lifetime.
 * If this computed value is greater than the default lifetime, then the server uses the
 * computed lifetime as the initial value of the time-to-expiry field. Otherwise, the server
 * uses the default lifetime." (Refresh, §7.2, uses the same rule for non-zero values.)
 */
export function desiredLifetime(requested: number | undefined): number {
  if (requested === undefined) return DEFAULT_LIFETIME_S;
  return Math.max(Math.min(requested, MAX_LIFETIME_S), DEFAULT_LIFETIME_S);
}

export interface Channel {
  readonly number: number;
  readonly peerAddress: string;
  readonly peerPort: number;
  expiresAt: number;
}

export class Allocation {
  readonly client: ClientAddress;
  readonly user: TurnUser;
  readonly relayPort: number;
  expiresAt: number;
  /** Transaction id and answer of the Allocate that made it, to answer retransmits alike. */
  allocateTid: Buffer | null = null;
  allocateResponse: Buffer | null = null;
  /** Set once the first oversize datagram has been logged for this allocation. */
  oversizeReported = false;
  private readonly permissions = new Map<string, number>();
  private readonly channels = new Map<number, Channel>();
  // Keyed by peer port alone: every peer of a credential has the same IP (binding.peerIp,
  // anything else is refused with 403), so the port identifies the peer. Lets deliver()
  // find a channel without building a string key per packet.
  private readonly channelsByPeerPort = new Map<number, Channel>();

  constructor(client: ClientAddress, user: TurnUser, relayPort: number, expiresAt: number) {
    this.client = client;
    this.user = user;
    this.relayPort = relayPort;
    this.expiresAt = expiresAt;
  }

  isExpired(now: number): boolean {
    return now >= this.expiresAt;
  }

  // RFC 5766 §8: permissions are per IP address: "only addresses are compared and port
  // numbers are not considered."
  hasPermission(ip: string, now: number): boolean {
    const expiry = this.permissions.get(ip);
    return expiry !== undefined && now < expiry;
  }

  installPermission(ip: string, now: number): void {
    this.permissions.set(ip, now + PERMISSION_LIFETIME_MS);
  }

  get permissionCount(): number {
    return this.permissions.size;
  }

  channel(number: number, now: number): Channel | undefined {
    const ch = this.channels.get(number);
    return ch && now < ch.expiresAt ? ch : undefined;
  }

  channelForPeer(ip: string, port: number, now: number): Channel | undefined {
    const ch = this.channelsByPeerPort.get(port);
    return ch && now < ch.expiresAt && ch.peerAddress === ip ? ch : undefined;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /**
   * RFC 5766 §11.2: fails when "The channel number is ... currently bound to a different
   * transport address" or "The transport address is ... currently bound to a different
   * channel number"; otherwise creates or refreshes the binding.
   */
  bindChannel(number: number, peerAddress: string, peerPort: number, now: number): boolean {
    const byNumber = this.channel(number, now);
    const byPeer = this.channelForPeer(peerAddress, peerPort, now);
    if (byNumber && (byNumber.peerAddress !== peerAddress || byNumber.peerPort !== peerPort)) return false;
    if (byPeer && byPeer.number !== number) return false;
    if (byNumber) {
      byNumber.expiresAt = now + CHANNEL_LIFETIME_MS;
      return true;
    }
    // An expired binding for either key may still be in the maps until the next sweep.
    this.dropChannel(this.channels.get(number));
    this.dropChannel(this.channelsByPeerPort.get(peerPort));
    const ch: Channel = { number, peerAddress, peerPort, expiresAt: now + CHANNEL_LIFETIME_MS };
    this.channels.set(number, ch);
    this.channelsByPeerPort.set(peerPort, ch);
    return true;
  }

  private dropChannel(ch: Channel | undefined): void {
    if (!ch) return;
    this.channels.delete(ch.number);
    if (this.channelsByPeerPort.get(ch.peerPort) === ch) this.channelsByPeerPort.delete(ch.peerPort);
  }

  /** Forgets expired permissions and channels (RFC 5766 §8, §11). */
  sweep(now: number): void {
    for (const [ip, expiry] of this.permissions) if (now >= expiry) this.permissions.delete(ip);
    for (const ch of this.channels.values()) if (now >= ch.expiresAt) this.dropChannel(ch);
  }
}
