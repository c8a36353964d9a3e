import { ResolveError } from './errors';

// Every wait in name resolution is bounded and cancellable: the chain may be gone (Aleph Zero
// is winding down), and a person who closed the popup must not keep a lookup alive.

// Settles with `work`, or rejects with CANCELLED when `signal` aborts, or with `onTimeout()`
// after `timeoutMs` — whichever comes first. `work` keeps running; its late result or
// error is dropped (and never reported as unhandled).
export function bounded<T>(
  work: Promise<T>,
  opts: { signal?: AbortSignal | undefined; timeoutMs?: number; onTimeout?: () => Error },
): Promise<T> {
  work.catch(() => undefined);
  const { signal, timeoutMs, onTimeout } = opts;
  if (signal?.aborted) return Promise.reject(ResolveError.cancelled());
  if (!signal && timeoutMs === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => finish(() => reject(ResolveError.cancelled()));
    const finish = (settle: () => void) => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => finish(() => reject(onTimeout ? onTimeout() : new Error(`no result within ${timeoutMs} ms`))), timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => finish(() => resolve(v)),
      // The work's own rejection, whatever it is, is what the caller must see.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      (e: unknown) => finish(() => reject(e)),
    );
  });
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw ResolveError.cancelled();
}

// "10 s", "1.5 s", "250 ms": how long we waited, in words.
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

// Node keeps a process alive for a pending timer; an idle-close timer must not.
export function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
