import { FINGERPRINT_XOR } from './constants';
import type { StunMessage } from './message';

// RFC 5389 §15.5: "The value of the attribute is computed as the CRC-32 of the STUN message
// up to (but excluding) the FINGERPRINT attribute itself, XOR'ed with the 32-bit value
// 0x5354554e". The CRC-32 is the one of ISO 3309 / ITU-T V.42 (reflected polynomial
// 0xEDB88320), computed here with the usual 256-entry table.

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  let crc = -1;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** FINGERPRINT value for a message whose FINGERPRINT attribute header starts at `at`. */
export function fingerprintValue(message: Uint8Array, at: number): number {
  return (crc32(message, 0, at) ^ FINGERPRINT_XOR) >>> 0;
}

export type FingerprintCheck = 'absent' | 'valid' | 'invalid';

export function checkFingerprint(msg: StunMessage): FingerprintCheck {
  if (msg.fingerprintAt < 0) return 'absent';
  const stored = msg.raw.readUInt32BE(msg.fingerprintAt + 4);
  return stored === fingerprintValue(msg.raw, msg.fingerprintAt) ? 'valid' : 'invalid';
}
