import { ERROR_CODES, type ErrorInfo, isFamilyCode } from '../errors';
import type { ParsedName, ResolveErrorCode } from '../names/types';

// How the extension's own code meets lib/names: the parser is passed in (the real one is
// parseName in lib/names/name.ts), so the modules that validate input stay pure. lib/names
// throws a ResolveError carrying one of these codes and a message that is a sentence.

export type NameParser = (input: string) => ParsedName;

export const RESOLVE_ERROR_CODES: readonly ResolveErrorCode[] = ERROR_CODES.names;

export function isResolveErrorCode(code: unknown): code is ResolveErrorCode {
  return isFamilyCode('names', code);
}

// Duck-typed, so the check does not depend on which copy of the class threw it.
export function isResolveError(err: unknown): err is Error & { code: ResolveErrorCode } {
  return err instanceof Error && isResolveErrorCode((err as { code?: unknown }).code);
}

export function resolveErrorInfo(err: Error & { code: ResolveErrorCode }): ErrorInfo {
  return { code: err.code, message: err.message };
}

export type NameCheck = { ok: true; name: ParsedName } | { ok: false; error: ErrorInfo };

export function checkName(input: string, parse: NameParser): NameCheck {
  try {
    return { ok: true, name: parse(input.trim()) };
  } catch (err) {
    if (isResolveError(err)) return { ok: false, error: resolveErrorInfo(err) };
    return { ok: false, error: { code: 'NAME_INVALID', message: err instanceof Error ? err.message : String(err) } };
  }
}

// Text that is meant as a name rather than a node id or a nickname: it has a dot and no
// white space (node ids never have dots). The parser then says what is wrong with
// `bob..azero` or `www.example.com`.
export function looksLikeName(text: string): boolean {
  return /^\S*\.\S*$/u.test(text.trim());
}
