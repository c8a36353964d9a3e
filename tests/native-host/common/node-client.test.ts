import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toErrorInfo } from '../../../lib/errors';
import { MAX_NATIVE_MESSAGE } from '../../../lib/protocol/native';
import { FrameDecoder, encodeFrame } from '../../../native-host/common/framing';
import { requestOnce } from '../../../native-host/common/node-client';

// A stand-in node on a Unix socket that answers each request with `answer(request)`.
function fakeNode(answer: (req: { id: number; type: string }) => object | null): { path: string; server: Server; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'copybara-node-client-'));
  const path = join(dir, 'node.sock');
  const server = createServer((socket) => {
    const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        if (!f.ok) continue;
        const req = f.message as { id: number; type: string };
        const reply = answer(req);
        if (reply) socket.write(encodeFrame({ v: 1, id: req.id, ...reply }, MAX_NATIVE_MESSAGE));
        else socket.end();
      }
    });
  });
  server.listen(path);
  return { path, server, dir };
}

describe('requestOnce (the CLI on the node socket)', () => {
  let node: ReturnType<typeof fakeNode> | null = null;
  afterEach(() => {
    node?.server.close();
    if (node) rmSync(node.dir, { recursive: true, force: true });
    node = null;
  });

  it('resolves with the result', async () => {
    node = fakeNode(() => ({ ok: true, result: { running: true } }));
    await expect(requestOnce(node.path, 'status')).resolves.toEqual({ running: true });
  });

  it("rethrows the node's error with its code, not INTERNAL", async () => {
    node = fakeNode(() => ({ ok: false, error: { code: 'BUSY', message: 'already in a call' } }));
    const err = await requestOnce(node.path, 'link').catch((e: unknown) => e);
    expect(toErrorInfo(err)).toEqual({ code: 'BUSY', message: 'already in a call' });
  });

  it('fails with NODE_UNAVAILABLE when the node hangs up without a reply', async () => {
    node = fakeNode(() => null);
    await expect(requestOnce(node.path, 'status')).rejects.toMatchObject({ code: 'NODE_UNAVAILABLE' });
  });

  it('times out with TIMEOUT', async () => {
    node = fakeNode(() => ({ id: 999, ok: true, result: 'a reply to a request nobody made' }));
    await expect(requestOnce(node.path, 'status', 200)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
