import { CopybaraError } from '../errors';
import { decodeNodeId, normaliseNodeId } from '../node-id';
import { sentence } from '../error-text';

// What the popup's "Name or node id" box accepts. Names (alice.azero) come with name
// resolution in a later issue; until then they get their own message rather than a
// confusing "wrong length".

export type Target = { ok: true; nodeId: string } | { ok: false; message: string };

const NAME = /^[\p{L}\p{N}_-]+(\.[\p{L}\p{N}_-]+)+\.?$/u;

export function parseTarget(input: string, ownNodeId: string | null): Target {
  const text = input.trim();
  if (text === '') return { ok: false, message: 'Type a node id to call.' };
  if (NAME.test(text)) return { ok: false, message: 'Calling by name is not available yet; paste a node id.' };
  const nodeId = normaliseNodeId(text);
  try {
    decodeNodeId(nodeId);
  } catch (err) {
    return { ok: false, message: err instanceof CopybaraError ? sentence(err.detail) : 'That is not a node id.' };
  }
  if (nodeId === ownNodeId) return { ok: false, message: 'That is your own node id.' };
  return { ok: true, nodeId };
}
