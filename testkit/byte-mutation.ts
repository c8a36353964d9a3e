import fc from 'fast-check';

// One random damage to a valid encoding, for decoder fuzz tests: a byte overwritten, the
// tail cut off, or a few bytes appended.

export const byteMutation = fc.record({
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  cut: fc.nat(),
  extra: fc.uint8Array({ maxLength: 4 }),
  kind: fc.constantFrom('flip', 'cut', 'extend'),
});

export function mutate(data: Uint8Array, m: typeof byteMutation extends fc.Arbitrary<infer T> ? T : never): Uint8Array {
  const d = Uint8Array.from(data);
  if (m.kind === 'flip' && d.length > 0) d[m.at % d.length] = m.byte;
  if (m.kind === 'cut') return d.subarray(0, d.length === 0 ? 0 : m.cut % d.length);
  if (m.kind === 'extend') return Uint8Array.from([...d, ...m.extra]);
  return d;
}
