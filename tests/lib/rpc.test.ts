import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CodedError, CopybaraError, ReplyError, toErrorInfo } from '../../lib/errors';
import { ResolveError } from '../../lib/names/errors';
import { PendingRequests } from '../../lib/rpc';

function table(timeoutMs = 1000) {
  const sent: number[] = [];
  const rpc = new PendingRequests({
    timeoutMs,
    timeoutError: (label, ms) => CopybaraError.TIMEOUT(`${label} got no reply within ${ms} ms`),
  });
  const ask = <T = unknown>(label = 'status', decode: (v: unknown) => T = (v) => v as T) =>
    rpc.request(label, (id) => sent.push(id), decode);
  return { rpc, sent, ask };
}

describe('PendingRequests', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives every request its own id, never reusing one', async () => {
    const { rpc, sent, ask } = table();
    const first = ask();
    ask().catch(() => {});
    rpc.resolve(sent[0]!, 'a');
    await first;
    ask().catch(() => {});
    expect(new Set(sent).size).toBe(3);
    expect(rpc.size).toBe(2);
    rpc.failAll(new Error('done'));
  });

  it('settles on its reply, through the decoder', async () => {
    const { rpc, sent, ask } = table();
    const p = ask('status', (v) => {
      if (typeof v !== 'number') throw CopybaraError.BAD_MESSAGE('not a number');
      return v * 2;
    });
    const bad = ask('status', () => {
      throw CopybaraError.BAD_MESSAGE('nope');
    });
    expect(rpc.settle(sent[0]!, { ok: true, result: 21 })).toBe(true);
    rpc.settle(sent[1]!, { ok: true, result: 'x' });
    await expect(p).resolves.toBe(42);
    await expect(bad).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
    expect(rpc.size).toBe(0);
  });

  it('times out, removing the entry', async () => {
    const { rpc, ask } = table(500);
    const p = ask('answer');
    const check = expect(p).rejects.toMatchObject({ code: 'TIMEOUT', detail: 'answer got no reply within 500 ms' });
    vi.advanceTimersByTime(499);
    expect(rpc.size).toBe(1);
    vi.advanceTimersByTime(1);
    await check;
    expect(rpc.size).toBe(0);
  });

  it('ignores late, duplicate and made-up replies', async () => {
    const { rpc, sent, ask } = table(100);
    const late = ask();
    const check = expect(late).rejects.toMatchObject({ code: 'TIMEOUT' });
    vi.advanceTimersByTime(100);
    await check;
    expect(rpc.settle(sent[0]!, { ok: true, result: 'too late' })).toBe(false);

    const once = ask();
    expect(rpc.resolve(sent[1]!, 'first')).toBe(true);
    expect(rpc.resolve(sent[1]!, 'second')).toBe(false);
    expect(rpc.reject(sent[1]!, new Error('third'))).toBe(false);
    await expect(once).resolves.toBe('first');
    expect(rpc.resolve(999, 'nobody asked')).toBe(false);
  });

  it('rejects everything pending with the given error when the line closes', async () => {
    const { rpc, ask } = table();
    const all = [ask(), ask(), ask()];
    const closed = new CopybaraError('HOST_DISCONNECTED', 'the port closed');
    rpc.failAll(closed);
    for (const p of all) await expect(p).rejects.toBe(closed);
    expect(rpc.size).toBe(0);
    // No timer is left to fire into a settled promise.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails a request whose send throws, with the error it is given', async () => {
    const rpc = new PendingRequests({ timeoutMs: 100, timeoutError: () => new Error('timeout') });
    const p = rpc.request(
      'call',
      () => {
        throw new Error('port gone');
      },
      (v) => v,
      { sendError: (err) => new CopybaraError('HOST_DISCONNECTED', String(err)) },
    );
    await expect(p).rejects.toMatchObject({ code: 'HOST_DISCONNECTED', detail: 'Error: port gone' });
    expect(rpc.size).toBe(0);
  });

  it('rethrows an error reply with the code it was sent with, in any family', async () => {
    const { rpc, sent, ask } = table();
    const replies = [
      new CopybaraError('BUSY', 'already in a call'),
      ResolveError.notRegistered('bob.azero'),
      new CopybaraError('NODE_UNAVAILABLE', 'not running'),
    ];
    const asked = replies.map(() => ask());
    replies.forEach((err, i) => rpc.settle(sent[i]!, { ok: false, error: toErrorInfo(err) }));
    for (const [i, p] of asked.entries()) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReplyError);
      expect(err).toBeInstanceOf(CodedError);
      // The same wire data again: node -> bridge -> extension loses nothing.
      expect(toErrorInfo(err)).toEqual(toErrorInfo(replies[i]));
    }
    expect(toErrorInfo(await asked[1]!.catch((e: unknown) => e))).toEqual({
      code: 'NAME_NOT_REGISTERED',
      message: 'bob.azero is not registered (or has expired)',
    });
  });
});
