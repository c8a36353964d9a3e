import { randomBytes } from 'node:crypto';
import { StunError } from '../errors';
import { ATTR, CLASS, HEADER_LENGTH, MAGIC_COOKIE, METHOD } from '../stun/constants';
import { messageType } from '../stun/message';
import { writeXorAddress } from '../stun/xor-address';

// Send/Data indications (RFC 5766 §10) built in one pass into one exactly-sized buffer:
// they carry media before a channel is bound, so they sit on the hot path. RFC 5766 §10.3:
// "The Data indication MUST contain both an XOR-PEER-ADDRESS and a DATA attribute."

const DATA_TYPE = messageType(METHOD.DATA, CLASS.INDICATION);
const SEND_TYPE = messageType(METHOD.SEND, CLASS.INDICATION);

// Indications need unique transaction ids, not unpredictable ones (nothing answers them),
// so a random prefix and a counter avoid a call into the CSPRNG per packet.
const idPrefix = randomBytes(4);
let idHigh = 0;
let idLow = 0;

function writeTransactionId(out: Buffer): void {
  idPrefix.copy(out, 8);
  idLow = (idLow + 1) >>> 0;
  if (idLow === 0) idHigh = (idHigh + 1) >>> 0;
  out.writeUInt32BE(idHigh, 12);
  out.writeUInt32BE(idLow, 16);
}

function encodeIndication(type: number, peerIp: Uint8Array, peerPort: number, data: Uint8Array, tid?: Uint8Array): Buffer {
  if (peerIp.length !== 4 && peerIp.length !== 16) throw new StunError('BAD_ATTR', 'peer address must be 4 or 16 bytes');
  const addrLength = 4 + peerIp.length;
  const padded = (data.length + 3) & ~3;
  const bodyLength = 4 + addrLength + 4 + padded;
  if (bodyLength > 0xfffc) throw new StunError('TOO_LARGE', `indication carrying ${data.length} bytes`);
  const out = Buffer.allocUnsafe(HEADER_LENGTH + bodyLength);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(bodyLength, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  if (tid) out.set(tid.subarray(0, 12), 8);
  else writeTransactionId(out);
  let at = HEADER_LENGTH;
  out.writeUInt16BE(ATTR.XOR_PEER_ADDRESS, at);
  out.writeUInt16BE(addrLength, at + 2);
  writeXorAddress(out, at + 4, peerIp, peerPort, out.subarray(8, HEADER_LENGTH));
  at += 4 + addrLength;
  out.writeUInt16BE(ATTR.DATA, at);
  out.writeUInt16BE(data.length, at + 2);
  out.set(data, at + 4);
  at += 4 + data.length;
  if (at < out.length) out.fill(0, at);
  return out;
}

/** Server -> client: data from `peerIp:peerPort`. */
export function encodeDataIndication(peerIp: Uint8Array, peerPort: number, data: Uint8Array, tid?: Uint8Array): Buffer {
  return encodeIndication(DATA_TYPE, peerIp, peerPort, data, tid);
}

/** Client -> server: data for `peerIp:peerPort` (used by clients and tests). */
export function encodeSendIndication(peerIp: Uint8Array, peerPort: number, data: Uint8Array, tid?: Uint8Array): Buffer {
  return encodeIndication(SEND_TYPE, peerIp, peerPort, data, tid);
}
