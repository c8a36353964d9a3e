import { createHash } from 'node:crypto';

// A short code both sides compute from the two node keys, to compare by voice. Sorting
// makes it independent of who called; 12 digits give a 1 in 10^12 chance that a key
// substituted in between matches by accident.
export function safetyCode(a: Uint8Array, b: Uint8Array): string {
  const [first, second] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
  const digest = createHash('sha256').update('copybara safety code v1').update(first).update(second).digest();
  const n = digest.readBigUInt64BE(0) % 10n ** 12n;
  const digits = n.toString().padStart(12, '0');
  return digits.match(/.{3}/g)!.join(' ');
}
