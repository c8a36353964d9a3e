// Numbers from the IANA STUN registries that this server speaks: RFC 5389/8489 (STUN),
// RFC 5766/8656 (TURN) and RFC 6156 (REQUESTED-ADDRESS-FAMILY).

// RFC 5389 §6: "The magic cookie field MUST contain the fixed value 0x2112A442 in network
// byte order."
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
export const TRANSACTION_ID_LENGTH = 12;

// RFC 5389 §15.5: the CRC-32 "XOR'ed with the 32-bit value 0x5354554e".
export const FINGERPRINT_XOR = 0x5354554e;

export const METHOD = {
  BINDING: 0x001,
  ALLOCATE: 0x003,
  REFRESH: 0x004,
  SEND: 0x006,
  DATA: 0x007,
  CREATE_PERMISSION: 0x008,
  CHANNEL_BIND: 0x009,
} as const;

export const CLASS = {
  REQUEST: 0,
  INDICATION: 1,
  SUCCESS: 2,
  ERROR: 3,
} as const;
export type StunClass = (typeof CLASS)[keyof typeof CLASS];

export const ATTR = {
  MAPPED_ADDRESS: 0x0001,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  CHANNEL_NUMBER: 0x000c,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  DATA: 0x0013,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_ADDRESS_FAMILY: 0x0017,
  EVEN_PORT: 0x0018,
  REQUESTED_TRANSPORT: 0x0019,
  DONT_FRAGMENT: 0x001a,
  XOR_MAPPED_ADDRESS: 0x0020,
  RESERVATION_TOKEN: 0x0022,
  PRIORITY: 0x0024,
  USE_CANDIDATE: 0x0025,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  FINGERPRINT: 0x8028,
  ICE_CONTROLLED: 0x8029,
  ICE_CONTROLLING: 0x802a,
} as const;

// RFC 5389 §15: "Attributes with type values between 0x0000 and 0x7FFF are
// comprehension-required attributes". These are the ones we understand (or knowingly
// ignore: PRIORITY/USE-CANDIDATE are ICE's and harmless on a Binding request); any other
// comprehension-required type in a request earns a 420 (RFC 5389 §7.3.1).
export const KNOWN_REQUIRED_ATTRIBUTES: ReadonlySet<number> = new Set([
  ATTR.MAPPED_ADDRESS,
  ATTR.USERNAME,
  ATTR.MESSAGE_INTEGRITY,
  ATTR.ERROR_CODE,
  ATTR.UNKNOWN_ATTRIBUTES,
  ATTR.CHANNEL_NUMBER,
  ATTR.LIFETIME,
  ATTR.XOR_PEER_ADDRESS,
  ATTR.DATA,
  ATTR.REALM,
  ATTR.NONCE,
  ATTR.XOR_RELAYED_ADDRESS,
  ATTR.REQUESTED_ADDRESS_FAMILY,
  ATTR.EVEN_PORT,
  ATTR.REQUESTED_TRANSPORT,
  ATTR.DONT_FRAGMENT,
  ATTR.XOR_MAPPED_ADDRESS,
  ATTR.RESERVATION_TOKEN,
  ATTR.PRIORITY,
  ATTR.USE_CANDIDATE,
]);

export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}

/** RFC 5389 §7.3: the comprehension-required types among `types` that we do not know. */
export function unknownRequired(types: readonly number[]): number[] {
  return types.filter((t) => isComprehensionRequired(t) && !KNOWN_REQUIRED_ATTRIBUTES.has(t));
}

// RFC 5766 §14.7: REQUESTED-TRANSPORT carries an IANA protocol number; 17 is UDP.
export const TRANSPORT_UDP = 17;

// RFC 5389 §15.1 / RFC 6156 §4.1.1: address family codes in address attributes.
export const FAMILY_IPV4 = 0x01;
export const FAMILY_IPV6 = 0x02;

export const ERROR_REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  420: 'Unknown Attribute',
  437: 'Allocation Mismatch',
  438: 'Stale Nonce',
  440: 'Address Family not Supported',
  441: 'Wrong Credentials',
  442: 'Unsupported Transport Protocol',
  443: 'Peer Address Family Mismatch',
  486: 'Allocation Quota Reached',
  500: 'Server Error',
  508: 'Insufficient Capacity',
};
