import { describe, expect, it } from 'vitest';
import { RingGate, UnrungConnections } from '../../../../native-host/node/calls/ring-gate';

const A = 'a'.repeat(51) + '0';
const B = 'b'.repeat(51) + '0';
const key = (i: number) => i.toString(32).padStart(51, 'z') + '0';

describe('RingGate', () => {
  it('admits 3 rings per caller in 30 s, refuses the 4th, and admits again after a quiet window', () => {
    const gate = new RingGate();
    expect([0, 1000, 2000].map((t) => gate.admit(A, t).kind)).toEqual(['ring', 'ring', 'ring']);
    expect(gate.admit(A, 3000)).toMatchObject({ kind: 'refuse', why: 'caller-rate' });
    // Another key is not held back by A's flood.
    expect(gate.admit(B, 3000).kind).toBe('ring');
    // Still ringing every 10 s: the refused attempts count, so A stays refused while it floods.
    expect([10_000, 20_000, 31_000].map((t) => gate.admit(A, t).kind)).toEqual(['refuse', 'refuse', 'refuse']);
    // Quiet for a whole window: A may ring again.
    expect(gate.admit(A, 62_000).kind).toBe('ring');
  });

  it('admits 10 rings from all callers in 30 s; a flooding key does not use up the others’ share', () => {
    const gate = new RingGate();
    for (let i = 0; i < 20; i++) gate.admit(A, i * 10);
    const verdicts = Array.from({ length: 10 }, (_, i) => gate.admit(key(i), 500 + i).kind);
    // A's 3 admitted rings count; 7 more keys fit, then the global limit refuses.
    expect(verdicts).toEqual([...Array<string>(7).fill('ring'), 'refuse', 'refuse', 'refuse']);
    expect(gate.admit(key(99), 600)).toMatchObject({ kind: 'refuse', why: 'global-rate' });
    expect(gate.admit(key(99), 30_001).kind).toBe('ring');
  });

  it('refuses blocked keys and, when only contacts may ring, everyone else; without counting them', () => {
    const gate = new RingGate();
    gate.setPolicy({ blocked: [A], allowOnly: null });
    expect(gate.admit(A, 0)).toMatchObject({ kind: 'refuse', why: 'blocked' });
    expect(gate.admit(B, 0).kind).toBe('ring');
    gate.setPolicy({ blocked: [], allowOnly: [A] });
    expect(gate.admit(B, 1)).toMatchObject({ kind: 'refuse', why: 'not-a-contact' });
    expect(gate.admit(A, 1).kind).toBe('ring');
    gate.setPolicy({ blocked: [], allowOnly: null });
    expect(gate.admit(B, 2).kind).toBe('ring');
  });

  it('lets a non-contact who presents our own open call link through "only contacts", never a blocked key', () => {
    const gate = new RingGate();
    gate.setPolicy({ blocked: [A], allowOnly: [] });
    expect(gate.admit(B, 0, true).kind).toBe('ring');
    expect(gate.admit(B, 1)).toMatchObject({ kind: 'refuse', why: 'not-a-contact' });
    expect(gate.admit(A, 2, true)).toMatchObject({ kind: 'refuse', why: 'blocked' });
  });

  it('forgets the rings of a caller the person answered, so calling back and forth is no flood', () => {
    const gate = new RingGate();
    for (let t = 0; t < 3; t++) gate.admit(A, t);
    gate.answered(A);
    expect([10, 11, 12].map((t) => gate.admit(A, t).kind)).toEqual(['ring', 'ring', 'ring']);
    expect(gate.admit(A, 13).kind).toBe('refuse');
  });

  it('logs a refusal once per window per caller and reason', () => {
    const gate = new RingGate({ perCaller: 1 });
    gate.admit(A, 0);
    const logs = [1, 2, 3, 29_000, 30_002].map((t) => gate.admit(A, t)).map((v) => (v.kind === 'refuse' ? v.log : 'ring'));
    expect(logs[0]).toMatch(/over 1 per 30 s/);
    expect(logs.slice(1, 4)).toEqual([null, null, null]);
    expect(logs[4]).toMatch(/over 1 per 30 s/);
  });

  it('keeps bounded memory under rings from 100,000 made-up keys', () => {
    const gate = new RingGate();
    for (let i = 0; i < 100_000; i++) gate.admit(key(i), i);
    const sizes = gate as unknown as { _attempts: Map<string, unknown>; _logged: Map<string, unknown> };
    expect(sizes._attempts.size).toBeLessThanOrEqual(4096);
    expect(sizes._logged.size).toBeLessThanOrEqual(4096);
  });
});

describe('UnrungConnections', () => {
  it('closes the oldest when one more than the cap arrives, and logs the first time', () => {
    const logs: string[] = [];
    const cap = new UnrungConnections<{ n: number; closed: boolean; close(): void }>(2, (l) => logs.push(l));
    const conn = (n: number) => ({
      n,
      closed: false,
      close() {
        this.closed = true;
      },
    });
    const [c1, c2, c3, c4] = [conn(1), conn(2), conn(3), conn(4)];
    expect(cap.add(c1)).toBeNull();
    expect(cap.add(c2)).toBeNull();
    expect(cap.add(c3)).toBe(c1);
    expect(c1.closed).toBe(true);
    cap.remove(c2);
    expect(cap.add(c4)).toBeNull();
    expect(cap.size).toBe(2);
    expect(logs).toHaveLength(1);
  });
});
