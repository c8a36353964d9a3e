import { NODE_ID_PATTERN } from '../../../lib/node-id';

// What `mcc` prints, read strictly. mcc-public is closed source and `mcc resolve` is not
// documented, so nothing here guesses: one Staex node id from `mcc id`, one IPv4 address
// from `mcc resolve <id>`, and anything else is an error that quotes what was printed.
// Never a fallback to some other address: a wrong address would send a call's signalling
// to whoever holds it (the Noise handshake would then fail, but only after connecting).

// Why `mcc` could not be used, as the options page and `copybara-host status` show it.
export type MccUnavailable = 'not-installed' | 'not-running' | 'no-permission' | 'failed';

export class MccError extends Error {
  constructor(
    readonly kind: MccUnavailable,
    // What happened, a sentence.
    detail: string,
    // What the person can do about it, a sentence; empty when there is nothing to say.
    readonly fix: string,
  ) {
    super(detail);
    this.name = 'MccError';
  }
}

// How much of a bad output an error quotes.
const QUOTE = 80;

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE ? `${text.slice(0, QUOTE)}…` : text);
}

// The non-empty lines of an output, trimmed (a CRLF or trailing blank line is formatting).
function lines(output: string): string[] {
  return output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function badOutput(command: string, why: string): MccError {
  return new MccError('failed', `\`${command}\` ${why}`, 'Check that the mcc command Copybara runs is mcc-public (COPYBARA_MCC).');
}

// `mcc id`: this node's Staex id, the 52-character form node ids share.
export function parseMccId(output: string): string {
  const got = lines(output);
  if (got.length === 0) return fail(badOutput('mcc id', 'printed nothing; it should print this node’s Staex id.'));
  if (got.length > 1) return fail(badOutput('mcc id', `printed ${got.length} lines; it should print one Staex id.`));
  const id = got[0]!;
  if (!NODE_ID_PATTERN.test(id)) return fail(badOutput('mcc id', `printed ${quote(id)}, which is not a Staex node id.`));
  return id;
}

// `mcc resolve <id>`: the peer's node-local IPv4 address, exactly one.
export function parseMccResolve(output: string, staexId: string): string {
  const command = `mcc resolve ${staexId.slice(0, 8)}…`;
  const got = lines(output);
  if (got.length === 0) return fail(badOutput(command, 'printed nothing; it should print the node’s address.'));
  if (got.length > 1) {
    return fail(badOutput(command, `printed ${got.length} lines; Copybara takes one address and never picks among several.`));
  }
  const text = got[0]!;
  if (text.includes(':')) {
    return fail(badOutput(command, `printed ${quote(text)}, an IPv6 address or host:port; Copybara needs the node-local IPv4 address.`));
  }
  const address = parseIpv4(text);
  if (address === null) return fail(badOutput(command, `printed ${quote(text)}, which is not an IPv4 address.`));
  const why = unusableIpv4(address);
  if (why) return fail(badOutput(command, `printed ${text}, ${why}.`));
  return text;
}

// Dotted quad, each part 0–255 written without leading zeros (so `010.1.1.1` is refused
// rather than read as octal by some tool and decimal by another).
export function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

// Addresses a peer cannot have: they would mean "anyone", "everyone" or a group.
function unusableIpv4([a, , , d]: number[]): string | null {
  if (a === 0) return 'an unspecified address';
  if (a! >= 224 && a! <= 239) return 'a multicast address';
  if (a! >= 240) return a === 255 && d === 255 ? 'the broadcast address' : 'a reserved address';
  return null;
}

function fail(err: MccError): never {
  throw err;
}
