// How an overlay connection says it is not a call: its first message is this preamble, naming
// the service it is for. A call's first message is a signalling frame, whose first four bytes
// are a length of at most 128 KiB (little-endian), so it can never start with four 0xff bytes.

export const SERVICES = ['site'] as const;
export type ServiceName = (typeof SERVICES)[number];

const MARK = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const PREFIX = Buffer.from('copybara-service/1 ', 'ascii');
// Longer than any preamble we write: a peer's first message past this is not read as one.
const MAX_PREAMBLE = 64;

export function encodePreamble(service: ServiceName): Buffer {
  return Buffer.concat([MARK, PREFIX, Buffer.from(service, 'ascii')]);
}

// What a connection's first message asks for: a call (not a preamble), a service we know, or
// a service we do not (refused: it may be a newer peer's).
export type FirstMessage = { kind: 'call' } | { kind: 'service'; service: ServiceName } | { kind: 'unknown-service' };

export function readFirstMessage(first: Uint8Array): FirstMessage {
  const b = Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  if (b.length < MARK.length || !b.subarray(0, MARK.length).equals(MARK)) return { kind: 'call' };
  if (b.length > MAX_PREAMBLE || !b.subarray(MARK.length, MARK.length + PREFIX.length).equals(PREFIX)) return { kind: 'unknown-service' };
  const name = b.subarray(MARK.length + PREFIX.length).toString('latin1');
  const service = SERVICES.find((s) => s === name);
  return service ? { kind: 'service', service } : { kind: 'unknown-service' };
}
