import { CopybaraError } from '../errors';
import { NODE_ID_PATTERN } from '../node-id';
import { integer, object, string } from '../protocol/check';
import { type LinkInfo, type NativeResults, type NodeStatus, type PublishOpened, type TurnInfo, decodeCallInfo } from '../protocol/native';

// Decoders for the `result` of the node's replies. lib/protocol/native.ts types them
// (NativeResults) and decodes CallInfo; the remaining shapes are checked here before the
// extension relies on them.

// TURN URLs the call page may hand to RTCPeerConnection: turn:/turns: only, short, no
// spaces. The node always names itself, so anything else is a broken or hostile reply.
const TURN_URL = /^turns?:[^\s]{1,250}$/;

export function decodeTurnInfo(value: unknown): TurnInfo {
  const o = object(value, 'turn');
  if (!Array.isArray(o.urls) || o.urls.length === 0 || o.urls.length > 8) {
    throw CopybaraError.BAD_MESSAGE('field "urls" must be a list of 1 to 8 TURN URLs');
  }
  const urls = o.urls.map((u, i) => {
    if (typeof u !== 'string' || !TURN_URL.test(u)) throw CopybaraError.BAD_MESSAGE(`urls[${i}] is not a TURN URL`);
    return u;
  });
  return { urls, username: string(o, 'username', 512), credential: string(o, 'credential', 512) };
}

export function decodeLinkInfo(value: unknown): LinkInfo {
  const o = object(value, 'link');
  return {
    url: string(o, 'url', 1024, /^https:\/\/[^\s#]+#[A-Za-z0-9_-]+$/),
    payload: string(o, 'payload', 512, /^[A-Za-z0-9_-]+$/),
    invitation: string(o, 'invitation', 16, /^[0-9a-f]{16}$/),
    expiresAt: integer(o, 'expiresAt', 0, 2 ** 32),
  };
}

// The background opens this address in a tab: only the node's own loopback page, never
// another site, whatever the reply says.
export const PUBLISH_URL = /^http:\/\/127\.0\.0\.1:[1-9][0-9]{0,4}\/publish\/[A-Za-z0-9_-]{22,86}\/$/;

export function decodePublishOpened(value: unknown): PublishOpened {
  const o = object(value, 'publish page');
  return { url: string(o, 'url', 160, PUBLISH_URL), expiresAt: integer(o, 'expiresAt', 0, Number.MAX_SAFE_INTEGER) };
}

export function decodeNodeStatus(value: unknown): NodeStatus {
  const o = object(value, 'status');
  if (!Array.isArray(o.calls)) throw CopybaraError.BAD_MESSAGE('field "calls" must be a list');
  return {
    nodeId: string(o, 'nodeId', 52, NODE_ID_PATTERN),
    version: string(o, 'version', 64),
    backend: string(o, 'backend', 64),
    turnPort: integer(o, 'turnPort', 0, 65535),
    dhtPort: o.dhtPort === null || o.dhtPort === undefined ? null : integer(o, 'dhtPort', 0, 65535),
    calls: o.calls.map(decodeCallInfo),
  };
}

function decodeNull(value: unknown): null {
  if (value !== null && value !== undefined) throw CopybaraError.BAD_MESSAGE('expected an empty result');
  return null;
}

export const RESULT_DECODERS: { [K in keyof NativeResults]: (value: unknown) => NativeResults[K] } = {
  status: decodeNodeStatus,
  call: decodeCallInfo,
  answer: decodeCallInfo,
  decline: decodeCallInfo,
  hangup: decodeCallInfo,
  turn: decodeTurnInfo,
  link: decodeLinkInfo,
  'wait-link': decodeNull,
  signal: decodeNull,
  'publish-open': decodePublishOpened,
};
