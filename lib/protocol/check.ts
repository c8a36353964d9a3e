import { CopybaraError } from '../errors';

// Small validators for decoders: every message from a page, a peer or the browser is
// `unknown` until one of these has looked at each field it uses.

export type Obj = Record<string, unknown>;

export function object(value: unknown, what: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw CopybaraError.BAD_MESSAGE(`${what} is not an object`);
  }
  return value as Obj;
}

export function string(obj: Obj, key: string, max: number, pattern?: RegExp): string {
  const v = obj[key];
  if (typeof v !== 'string') throw CopybaraError.BAD_MESSAGE(`field "${key}" must be text`);
  if (v.length > max) throw CopybaraError.BAD_MESSAGE(`field "${key}" is longer than ${max} characters`);
  if (pattern && !pattern.test(v)) throw CopybaraError.BAD_MESSAGE(`field "${key}" is malformed`);
  return v;
}

// JSON has no `undefined`, and senders write an empty optional field either way.
export function absent(obj: Obj, key: string): boolean {
  return obj[key] === undefined || obj[key] === null;
}

export function optionalString(obj: Obj, key: string, max: number, pattern?: RegExp): string | undefined {
  return absent(obj, key) ? undefined : string(obj, key, max, pattern);
}

export function nullableString(obj: Obj, key: string, max: number, pattern?: RegExp): string | null {
  return absent(obj, key) ? null : string(obj, key, max, pattern);
}

// `read` checks the field when it is there; an absent one reads as null.
export function nullable<T>(obj: Obj, key: string, read: (obj: Obj, key: string) => T): T | null {
  return absent(obj, key) ? null : read(obj, key);
}

export function integer(obj: Obj, key: string, min: number, max: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw CopybaraError.BAD_MESSAGE(`field "${key}" must be a whole number from ${min} to ${max}`);
  }
  return v;
}

export function boolean(obj: Obj, key: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') throw CopybaraError.BAD_MESSAGE(`field "${key}" must be true or false`);
  return v;
}

export function oneOf<T extends string>(obj: Obj, key: string, values: readonly T[]): T {
  const v = obj[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw CopybaraError.BAD_MESSAGE(`field "${key}" must be one of ${values.join(', ')}`);
  }
  return v as T;
}

export function version(obj: Obj, supported: number): void {
  if (obj.v !== supported) throw CopybaraError.UNKNOWN_VERSION(obj.v);
}

export const CALL_ID = /^[0-9a-f]{32}$/;

// A call link's invitation id (lib/links/link.ts): 8 random bytes in hex.
export const INVITATION = /^[0-9a-f]{16}$/;

export function invitation(obj: Obj, key = 'invitation'): string {
  return string(obj, key, 16, INVITATION);
}

export function time(obj: Obj, key: string): number {
  return integer(obj, key, 0, Number.MAX_SAFE_INTEGER);
}
