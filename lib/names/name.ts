import { CANONICAL_TLD, TLD_CHAIN } from './chains';
import { ResolveError } from './errors';
import type { ParsedName } from './types';

// A name is checked completely before anything touches the network, so a typo costs no
// round trip and nothing the user typed reaches the chain unchecked.
//
// The rule implemented (AZERO.ID's published charset, docs.azero.id/domains/charsets, and
// its name-checker contract defaults):
//  * `label.tld`, TLD one of azero, a0 (mainnet) or tzero (testnet); no sub-names.
//  * label: a-z, 0-9 and `-`, not starting or ending with `-`, 1 to 32 characters. The
//    registry enforces 5..32 for sale, but reserved and auctioned names may be shorter, so
//    we only insist on at least one character.
//  * Surrounding white space is trimmed and A-Z lower-cased (as `sanitizeDomain` of
//    @azns/resolver-core does: names are stored lower-case on chain).
//  * Unicode: nothing non-ASCII is ever accepted, and the check runs on the text as typed.
//    No normalisation happens before it: NFKC would turn fullwidth "ｂｏｂ" into "bob", and
//    even NFC and a full-Unicode toLowerCase() turn the Kelvin sign "K" (U+212A) into "k",
//    which would let look-alike input resolve to someone's name. NFC is used only to name
//    the offending character in the message (a decomposed "é" is reported as "é").
//  * Labels that look like hex bytes (`0x`, `0xdead`) are refused: polkadot.js, which every
//    AZERO.ID tool is built on, reads such text as bytes, so these names cannot be
//    registered or looked up reliably and a lookup could hit a different name.

export const MAX_LABEL_LENGTH = 32;
// Anything longer cannot be a name; cut it off before normalising or scanning it.
export const MAX_INPUT_LENGTH = 256;

const LABEL_CHAR = /^[a-z0-9-]$/;
const HEX_LOOKING = /^0x[0-9a-f]*$/;

export function parseName(input: unknown): ParsedName {
  if (typeof input !== 'string') throw new ResolveError('NAME_INVALID', 'a name is text, like bob.azero');
  if (input.length > MAX_INPUT_LENGTH) {
    throw ResolveError.invalid(input, `it is longer than ${MAX_INPUT_LENGTH} characters`);
  }
  const text = input.trim();
  if (text === '') throw new ResolveError('NAME_INVALID', 'the name is empty');
  const dot = text.lastIndexOf('.');
  if (dot < 0) throw ResolveError.invalid(text, 'a name ends in .azero, .a0 or .tzero (like bob.azero)');
  const tldTyped = text.slice(dot + 1);
  if (tldTyped === '') throw ResolveError.invalid(text, 'it ends with a dot');
  const tld = asciiLower(tldTyped);
  const chain = TLD_CHAIN[tld];
  if (chain === undefined) throw ResolveError.tldUnsupported(text, tldTyped);

  const rawLabel = text.slice(0, dot);
  if (rawLabel === '') throw ResolveError.invalid(text, `the part before .${tld} is empty`);
  if (rawLabel.includes('.')) throw ResolveError.invalid(text, `sub-names are not supported; use one word before .${tld}`);
  const bad = firstBadChar(rawLabel);
  if (bad !== null) throw ResolveError.invalid(text, characterProblem(firstBadChar(rawLabel.normalize('NFC')) ?? bad));
  const label = asciiLower(rawLabel);
  if (label.startsWith('-') || label.endsWith('-')) throw ResolveError.invalid(text, 'a name cannot start or end with "-"');
  if (label.length > MAX_LABEL_LENGTH) {
    throw ResolveError.invalid(text, `it has ${label.length} characters before .${tld}; AZERO.ID names have at most ${MAX_LABEL_LENGTH}`);
  }
  if (HEX_LOOKING.test(label)) {
    throw ResolveError.invalid(text, 'it looks like hex bytes (0x…), which AZERO.ID tools cannot register or look up reliably');
  }
  return { label, tld, chain, full: `${label}.${tld}` };
}

// The key one name is cached under: `bob.a0` and `bob.azero` are the same registry entry.
export function cacheKey(name: ParsedName): string {
  return `${name.label}.${CANONICAL_TLD[name.chain]}`;
}

function firstBadChar(label: string): string | null {
  for (const ch of label) if (!LABEL_CHAR.test(asciiLower(ch))) return ch;
  return null;
}

// A-Z only: see the Unicode note above.
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function characterProblem(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const what = /\s/u.test(ch)
    ? 'a space'
    : /\p{Cc}/u.test(ch)
      ? 'a control character'
      : /\p{Cf}/u.test(ch)
        ? 'an invisible character'
        : `"${ch}"`;
  return `${what} (${code}) is not allowed; AZERO.ID names use only a-z, 0-9 and "-"`;
}
