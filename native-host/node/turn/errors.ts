// The one error class the STUN/TURN decoders throw. Untrusted datagrams reach the decoders
// straight from the socket, so every way a datagram can be malformed maps to a `code` here:
// the server counts and logs per code, and anything that is not a StunError is a bug in our
// own code (never a property of the input).

export type StunErrorCode =
  | 'SHORT' // fewer bytes than a header needs
  | 'NOT_STUN' // the two leading bits of a STUN message are not zero (RFC 5389 §6)
  | 'BAD_COOKIE' // magic cookie is not 0x2112A442 (RFC 5389 §6)
  | 'BAD_LENGTH' // header length disagrees with the datagram or is not a multiple of 4
  | 'ATTR_OVERFLOW' // an attribute (or its padding) runs past the end of the message
  | 'BAD_ATTR' // an attribute's value is malformed for its type
  | 'BAD_FINGERPRINT' // FINGERPRINT is misplaced or its CRC does not match
  | 'BAD_INTEGRITY' // MESSAGE-INTEGRITY is malformed
  | 'BAD_CHANNEL' // ChannelData channel number outside 0x4000-0x7FFF
  | 'TOO_LARGE'; // an encoder was asked to build something that cannot fit a STUN message

export class StunError extends Error {
  readonly code: StunErrorCode;

  constructor(code: StunErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'StunError';
    this.code = code;
  }
}

export function isStunError(err: unknown): err is StunError {
  return err instanceof StunError;
}
