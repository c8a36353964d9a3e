import { StunError } from '../errors';
import { FAMILY_IPV4, FAMILY_IPV6, MAGIC_COOKIE, TRANSACTION_ID_LENGTH } from './constants';
import { formatIPv4, formatIPv6, parseIp } from './ip';

// MAPPED-ADDRESS (RFC 5389 §15.1) and the XOR'ed forms XOR-MAPPED-ADDRESS (§15.2),
// XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 5766 §14.3, §14.5): one reserved byte,
// the family (0x01 IPv4, 0x02 IPv6), the port, then 4 or 16 address bytes.

export interface TransportAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

const COOKIE_BYTES = Buffer.from([0x21, 0x12, 0xa4, 0x42]);

function familyOf(value: Uint8Array): 4 | 6 {
  if (value.length < 4) throw new StunError('BAD_ATTR', `address attribute of ${value.length} bytes`);
  const family = value[1];
  const expected = family === FAMILY_IPV4 ? 8 : family === FAMILY_IPV6 ? 20 : -1;
  if (expected < 0) throw new StunError('BAD_ATTR', `unknown address family 0x${family!.toString(16)}`);
  if (value.length !== expected) {
    throw new StunError('BAD_ATTR', `address attribute of ${value.length} bytes, family needs ${expected}`);
  }
  return family === FAMILY_IPV4 ? 4 : 6;
}

export function decodeAddress(value: Uint8Array): TransportAddress {
  const family = familyOf(value);
  const port = (value[2]! << 8) | value[3]!;
  const address = family === 4 ? formatIPv4(value, 4) : formatIPv6(value, 4);
  return { family, address, port };
}

export function decodeXorAddress(value: Uint8Array, transactionId: Uint8Array): TransportAddress {
  const family = familyOf(value);
  if (transactionId.length !== TRANSACTION_ID_LENGTH) throw new StunError('BAD_ATTR', 'transaction id must be 12 bytes');
  // RFC 5389 §15.2: "X-Port is computed by taking the mapped port in host byte order,
  // XOR'ing it with the most significant 16 bits of the magic cookie".
  const port = ((value[2]! << 8) | value[3]!) ^ (MAGIC_COOKIE >>> 16);
  const plain = Buffer.allocUnsafe(family === 4 ? 4 : 16);
  // "If the IP address family is IPv4, X-Address is computed by taking the mapped IP
  // address in host byte order, XOR'ing it with the magic cookie ... If the IP address
  // family is IPv6, X-Address is computed by taking the mapped IP address in host byte
  // order, XOR'ing it with the concatenation of the magic cookie and the 96-bit
  // transaction ID".
  for (let i = 0; i < plain.length; i++) {
    const mask = i < 4 ? COOKIE_BYTES[i]! : transactionId[i - 4]!;
    plain[i] = value[4 + i]! ^ mask;
  }
  const address = family === 4 ? formatIPv4(plain) : formatIPv6(plain);
  return { family, address, port };
}

function addressBytes(addr: TransportAddress): Buffer {
  const bytes = parseIp(addr.address);
  if (!bytes || bytes.length !== (addr.family === 4 ? 4 : 16)) {
    throw new StunError('BAD_ATTR', `${addr.address} is not an IPv${addr.family} address`);
  }
  if (!Number.isInteger(addr.port) || addr.port < 0 || addr.port > 0xffff) {
    throw new StunError('BAD_ATTR', `bad port ${addr.port}`);
  }
  return bytes;
}

export function encodeAddress(addr: TransportAddress): Buffer {
  const bytes = addressBytes(addr);
  const out = Buffer.alloc(4 + bytes.length);
  out[1] = addr.family === 4 ? FAMILY_IPV4 : FAMILY_IPV6;
  out.writeUInt16BE(addr.port, 2);
  bytes.copy(out, 4);
  return out;
}

/**
 * Writes an XOR'ed address value into `out` at `offset` from raw address bytes; returns
 * the number of bytes written (8 or 20). The allocation-free form used on the hot path.
 */
export function writeXorAddress(out: Uint8Array, offset: number, ip: Uint8Array, port: number, transactionId: Uint8Array): number {
  out[offset] = 0;
  out[offset + 1] = ip.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6;
  const xport = port ^ (MAGIC_COOKIE >>> 16);
  out[offset + 2] = xport >>> 8;
  out[offset + 3] = xport & 0xff;
  for (let i = 0; i < ip.length; i++) {
    const mask = i < 4 ? COOKIE_BYTES[i]! : transactionId[i - 4]!;
    out[offset + 4 + i] = ip[i]! ^ mask;
  }
  return 4 + ip.length;
}

export function encodeXorAddress(addr: TransportAddress, transactionId: Uint8Array): Buffer {
  const bytes = addressBytes(addr);
  if (transactionId.length !== TRANSACTION_ID_LENGTH) throw new StunError('BAD_ATTR', 'transaction id must be 12 bytes');
  const out = Buffer.allocUnsafe(4 + bytes.length);
  writeXorAddress(out, 0, bytes, addr.port, transactionId);
  return out;
}
