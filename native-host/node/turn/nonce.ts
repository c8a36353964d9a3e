import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientAddress } from './types';

// RFC 5389 §10.2: the NONCE is "a server-selected value" whose validity the server decides.
// Ours are stateless: 12 hex digits of issue time and 16 hex digits of an HMAC over that
// time and the client's address, keyed with a per-server secret. Nothing to store or
// expire, a nonce cannot be moved to another client address, and a forged or old one is
// simply "no longer valid" (438, RFC 5389 §10.2.2).

export const NONCE_LIFETIME_MS = 600_000;
const TIME_DIGITS = 12;
const MAC_DIGITS = 16;
const NONCE_PATTERN = /^[0-9a-f]{28}$/;

export class NonceBook {
  private readonly secret = randomBytes(32);
  private readonly now: () => number;
  private readonly lifetime: number;

  constructor(now: () => number, lifetimeMs = NONCE_LIFETIME_MS) {
    this.now = now;
    this.lifetime = lifetimeMs;
  }

  private mac(time: string, client: ClientAddress): string {
    return createHmac('sha256', this.secret).update(`${time}|${client.address}|${client.port}`).digest('hex').slice(0, MAC_DIGITS);
  }

  issue(client: ClientAddress): string {
    const time = Math.max(0, Math.floor(this.now())).toString(16).padStart(TIME_DIGITS, '0').slice(-TIME_DIGITS);
    return time + this.mac(time, client);
  }

  isValid(nonce: string, client: ClientAddress): boolean {
    if (!NONCE_PATTERN.test(nonce)) return false;
    const time = nonce.slice(0, TIME_DIGITS);
    const expected = Buffer.from(this.mac(time, client));
    if (!timingSafeEqual(expected, Buffer.from(nonce.slice(TIME_DIGITS)))) return false;
    const age = this.now() - parseInt(time, 16);
    return age >= 0 && age < this.lifetime;
  }
}
