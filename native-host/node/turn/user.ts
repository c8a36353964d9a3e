import { isIPv4 } from 'node:net';
import { longTermKey } from './stun/integrity';
import { parseIPv4 } from './stun/ip';
import { MAX_USERNAME_BYTES } from './stun/attributes';
import type { Allocation } from './allocation';
import type { TurnBinding } from './types';

// One credential, bound to one call. The long-term key is computed once here rather than
// per request (RFC 5389 §15.4 allows storing the key instead of the password).

export interface TurnUser {
  readonly name: string;
  readonly key: Buffer;
  readonly binding: TurnBinding;
  /** binding.peerIp as 4 bytes, ready for XOR-PEER-ADDRESS on the hot path. */
  readonly peerIpBytes: Buffer;
  readonly allocations: Set<Allocation>;
}

export function makeUser(name: string, password: string, realm: string, binding: TurnBinding): TurnUser {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name, 'utf8') > MAX_USERNAME_BYTES) {
    throw new TypeError('TURN username must be a non-empty string of at most 512 UTF-8 bytes');
  }
  if (typeof password !== 'string') throw new TypeError('TURN password must be a string');
  if (!binding || typeof binding.send !== 'function') throw new TypeError('TURN binding needs a send() callback');
  if (!isIPv4(binding.relayIp)) throw new TypeError(`relayIp ${String(binding.relayIp)} is not an IPv4 address`);
  const peerIpBytes = isIPv4(binding.peerIp) ? parseIPv4(binding.peerIp) : null;
  if (!peerIpBytes) throw new TypeError(`peerIp ${String(binding.peerIp)} is not an IPv4 address`);
  if (!Number.isInteger(binding.maxPayload) || binding.maxPayload < 0) {
    throw new TypeError('maxPayload must be a non-negative integer');
  }
  return {
    name,
    key: longTermKey(name, realm, password),
    binding,
    peerIpBytes,
    allocations: new Set(),
  };
}
