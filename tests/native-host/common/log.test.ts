import { openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LINE, clip, createLog, openLogFile, rateLimitedLog } from '../../../native-host/common/log';
import { tempDir } from '../../../testkit/processes';

describe('clip', () => {
  it('escapes what could forge a line or reorder a terminal’s text', () => {
    expect(clip('a\nb\r\tc\u0000\u001b[31m\u007f\u0085\u2028\u202e\u2066')).toBe(
      'a\\nb\\r\\tc\\u0000\\u001b[31m\\u007f\\u0085\\u2028\\u202e\\u2066',
    );
  });

  it('cuts to the limit, escapes included, and marks the cut', () => {
    expect(clip('x'.repeat(10), 10)).toBe('x'.repeat(10));
    expect(clip('x'.repeat(11), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(clip('\n'.repeat(10), 10)).toBe(`${'\\n'.repeat(4)}\\…`);
    expect(clip('y'.repeat(1_000_000))).toHaveLength(MAX_LINE);
  });
});

describe('createLog', () => {
  it('writes one line per call, however long or multi-line the text', () => {
    const out: string[] = [];
    const log = createLog({ write: (t: string) => out.push(t) }, 'node');
    log(`peer said ${'z'.repeat(10_000)}\nforged`);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z node peer said z+…\n$/);
    expect(out[0]!.length).toBeLessThan(MAX_LINE + 40);
  });
});

describe('rateLimitedLog', () => {
  it('lets a burst through, then the rate, and counts what it dropped on the next line', () => {
    const lines: string[] = [];
    const clock = { ms: 0 };
    const log = rateLimitedLog(
      (l) => lines.push(l),
      2,
      3,
      () => clock.ms,
    );
    for (let i = 0; i < 1000; i++) log(`bad ${i}`);
    expect(lines).toEqual(['bad 0', 'bad 1', 'bad 2']);
    clock.ms += 500;
    log('later');
    expect(lines.at(-1)).toBe('(997 lines dropped) later');
    log('dropped');
    clock.ms += 500;
    log('again');
    expect(lines.slice(3)).toEqual(['(997 lines dropped) later', '(1 line dropped) again']);
  });
});

describe('openLogFile', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir('log');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('keeps the file under its cap and the one before it as .1, however much is written', () => {
    const path = join(dir.path, 'node.log');
    const sink = openLogFile(path, 10_000);
    for (let i = 0; i < 5000; i++) sink.write(`line ${i} ${'.'.repeat(90)}\n`);
    expect(statSync(path).size).toBeLessThanOrEqual(10_000);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(10_000);
    expect(statSync(`${path}.1`).mode & 0o777).toBe(0o600);
    const now = readFileSync(path, 'utf8');
    const before = readFileSync(`${path}.1`, 'utf8');
    expect(now.endsWith(`line 4999 ${'.'.repeat(90)}\n`)).toBe(true);
    // Nothing lost at the seam: the old file ends where the new one begins.
    const first = Number(/^line (\d+)/.exec(now)![1]);
    expect(before.endsWith(`line ${first - 1} ${'.'.repeat(90)}\n`)).toBe(true);
  });

  it('keeps what another descriptor appends (the node’s stderr) in the live file after a rotation', () => {
    const path = join(dir.path, 'node.log');
    const sink = openLogFile(path, 1000);
    const stderr = openSync(path, 'a');
    for (let i = 0; i < 30; i++) sink.write(`${'.'.repeat(99)}\n`);
    writeSync(stderr, 'Error: crashed\n');
    expect(readFileSync(path, 'utf8').endsWith('Error: crashed\n')).toBe(true);
    sink.write('after\n');
    expect(statSync(path).size).toBeLessThanOrEqual(1000);
  });
});
