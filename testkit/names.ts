import { createServer } from 'node:net';
import { MemoryResolutionCache } from '../lib/names/memory-cache';
import { NameResolver, type NameResolverOptions } from '../lib/names/resolver';
import { encodeNodeId } from '../lib/node-id';

// Shared by the name-resolution integration tests. Everything talks to 127.0.0.1 only.

export const BOB_ID = encodeNodeId(Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 1) & 0xff));
export const BOB_STAEX = encodeNodeId(Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + 5) & 0xff));
export const NEW_ID = encodeNodeId(new Uint8Array(32).fill(0x42));

const open: NameResolver[] = [];

// A resolver with test-sized timeouts; closed by closeResolvers() after each test.
export function resolverFor(endpoints: string[], opts: NameResolverOptions = {}): NameResolver {
  const r = new NameResolver({
    endpoints: { azero: endpoints, tzero: endpoints },
    cache: new MemoryResolutionCache(),
    connectTimeoutMs: 3000,
    ...opts,
  });
  open.push(r);
  return r;
}

export async function closeResolvers(): Promise<void> {
  await Promise.all(open.splice(0).map((r) => r.close()));
}

// A port on 127.0.0.1 with nothing listening (connections are refused).
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}`;
}

export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; ms: number }> {
  const t = performance.now();
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { code: e.code ?? 'NONE', message: e.message, ms: performance.now() - t };
  }
  throw new Error('expected a failure');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
