import type { ErrorInfo } from '../errors';

// Helpers shared by the domain files of lib/error-text.

// How one code becomes words: from the error as it came over the wire, and `who` (the peer
// for call errors, the name for name errors) so a sentence can name what it is about.
export type Words = (error: ErrorInfo, who: string) => string;

// "a node id has 52 characters" -> "A node id has 52 characters."
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  const head = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(head) ? head : `${head}.`;
}

// sentence(), except that a leading name keeps its case: "bob.azero is not registered."
export function nameSentence(text: string): string {
  const t = text.trim();
  const first = t.split(/\s/, 1)[0] ?? '';
  if (!first.includes('.')) return sentence(t);
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

export function withoutStop(text: string): string {
  return text.replace(/\.$/, '');
}

export function lowerFirst(text: string): string {
  const t = text.trim();
  // Keep names and acronyms ("AZERO.ID …") as they are.
  return /^[A-Z][a-z]/.test(t) ? t[0]!.toLowerCase() + t.slice(1) : t;
}

// " (the text)" when the error carries any text, for appending to a generic sentence.
export function detailOf(error: ErrorInfo): string {
  return error.message ? ` (${error.message})` : '';
}

// The error's own text when it is already meant for people, else the fallback.
export function ownOr(fallback: string): Words {
  return (error) => (error.message ? sentence(error.message) : fallback);
}
