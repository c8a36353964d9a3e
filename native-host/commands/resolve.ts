import { ResolveError } from '../../lib/names/errors';
import { parseName } from '../../lib/names/name';
import { NODE_ID_RECORD_KEY, STAEX_ID_RECORD_KEY } from '../../lib/names/record';
import { NameResolver } from '../../lib/names/resolver';
import type { Resolution, ResolutionCache } from '../../lib/names/types';
import { FileResolutionCache, namesCachePath } from '../node/names/file-cache';

// `copybara-host resolve NAME [--endpoint URL]…`: one lookup, printed for people and easy
// to pick apart in a script:
//
//   copybara-id <node id>
//   staex-id <node id>            (only the records the name has)
//   verified just now             | verified 3 min ago (cached)
//                                 | from cache, last verified 2025-…Z (2 h ago): <why>
//
// Exit status: 0 found; 1 the lookup failed (words on stderr); 2 the input is unusable.

export interface ResolveCommand {
  name: string | undefined;
  // From --endpoint, repeatable and/or comma-separated; null for the public endpoints.
  endpoints: string | null;
  profileDir: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  cache?: ResolutionCache;
  now?: () => number;
  signal?: AbortSignal;
}

export async function runResolve(cmd: ResolveCommand): Promise<number> {
  const fail = (code: number, message: string) => {
    cmd.err.write(`copybara-host: ${message}\n`);
    return code;
  };
  if (!cmd.name) return fail(2, 'resolve needs a name, like: copybara-host resolve bob.azero');
  let resolver: NameResolver;
  try {
    const chain = parseName(cmd.name).chain;
    const endpoints =
      cmd.endpoints === null
        ? null
        : cmd.endpoints
            .split(',')
            .map((e) => e.trim())
            .filter((e) => e !== '');
    if (endpoints !== null && endpoints.length === 0) return fail(2, '--endpoint needs a ws:// or wss:// address');
    resolver = new NameResolver({
      endpoints: endpoints ? { [chain]: endpoints } : {},
      cache: cmd.cache ?? new FileResolutionCache(namesCachePath(cmd.profileDir)),
      ...(cmd.now ? { now: cmd.now } : {}),
    });
  } catch (err) {
    return fail(2, err instanceof Error ? err.message : String(err));
  }
  try {
    const res = await resolver.resolve(cmd.name, cmd.signal);
    cmd.out.write(formatResolution(res, (cmd.now ?? Date.now)()));
    return 0;
  } catch (err) {
    if (err instanceof ResolveError) return fail(1, err.message);
    throw err;
  } finally {
    await resolver.close();
  }
}

export function formatResolution(res: Resolution, now: number): string {
  const lines: string[] = [];
  if (res.records.nodeId) lines.push(`${NODE_ID_RECORD_KEY} ${res.records.nodeId}`);
  if (res.records.staexId) lines.push(`${STAEX_ID_RECORD_KEY} ${res.records.staexId}`);
  const age = ago(now - res.verifiedAt);
  if (res.fromCache) {
    const why = res.staleReason ? `: ${res.staleReason}` : '';
    lines.push(`from cache, last verified ${new Date(res.verifiedAt).toISOString()} (${age})${why}`);
  } else if (res.source === 'cache') {
    lines.push(`verified ${age} (cached)`);
  } else {
    lines.push(`verified ${age}`);
  }
  return `${lines.join('\n')}\n`;
}

export function ago(ms: number): string {
  if (ms < 5_000) return 'just now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s ago`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}
