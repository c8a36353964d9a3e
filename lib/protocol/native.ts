import { CopybaraError, type ErrorInfo, errorInfoFrom } from '../errors';
import { NODE_ID_PATTERN } from '../node-id';
import { CALL_ID, type Obj, boolean, integer, object, oneOf, string, version } from './check';
import { type Signal, decodeSignal } from './signal';
import { MAX_NAME } from './signalling';

// Messages between the extension and its local node (through the native-messaging bridge).
// Requests carry an `id` that the node echoes in its reply; events carry none.

export const NATIVE_VERSION = 1;

// Chromium disconnects a host that sends more than 1 MiB in one message (DESIGN §7); the
// browser may send up to 64 MiB, but nothing we send is near that, so both ways share a cap.
export const MAX_NATIVE_MESSAGE = 1024 * 1024;

// dialing: finding the peer's node; ringing: its browser rings; incoming: ours rings;
// active: answered (the call tabs then negotiate media); ended: see `reason`.
export type CallState = 'dialing' | 'ringing' | 'incoming' | 'active' | 'ended';

export type EndReason =
  | 'hangup'
  | 'remote-hangup'
  | 'declined'
  | 'busy'
  | 'no-answer'
  | 'missed'
  | 'unreachable'
  | 'peer-lost'
  | 'refused' // the callee's node refused a call link (detail says why)
  | 'failed';

export interface CallInfo {
  callId: string;
  direction: 'outgoing' | 'incoming';
  peer: string;
  peerName: string | null;
  state: CallState;
  reason: EndReason | null;
  detail: string | null;
  safetyCode: string | null;
  createdAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  // The call link this call came through (16 hex digits), if any.
  invitation: string | null;
  // True when the call was answered without ringing because it presented our own link
  // while our call tab was waiting for it.
  viaLink: boolean;
}

export interface TurnInfo {
  urls: string[];
  username: string;
  credential: string;
}

export interface LinkInfo {
  url: string;
  payload: string;
  invitation: string;
  expiresAt: number; // unix seconds
}

export interface NodeStatus {
  nodeId: string;
  version: string;
  backend: string;
  turnPort: number;
  // The overlay's UDP port (HyperDHT); null when the network is not up.
  dhtPort: number | null;
  calls: CallInfo[];
}

export type NativeRequest =
  | { type: 'status' }
  // `name`: the AZERO.ID name the caller claims as its own, sent in the ring for the callee
  // to check against the key that calls.
  | { type: 'call'; target: string; name?: string; invitation?: string }
  | { type: 'link'; name?: string; lifetimeS?: number; callee?: string }
  | { type: 'wait-link'; invitation: string; waiting: boolean }
  | { type: 'answer'; callId: string }
  | { type: 'decline'; callId: string }
  | { type: 'hangup'; callId: string }
  | { type: 'turn'; callId: string }
  | { type: 'signal'; callId: string; signal: Signal }
  // Start the publishing page (native-host/node/publish): the wallet that signs lives in the
  // browser and injects itself only into http(s) pages, so the node serves one on 127.0.0.1.
  // `endpoints`: the chain RPC endpoints the page may connect to; `name`: "My name".
  | { type: 'publish-open'; endpoints: PublishEndpoints; name?: string };

export interface PublishEndpoints {
  azero: string[];
  tzero: string[];
}

export interface PublishOpened {
  // http://127.0.0.1:PORT/publish/SECRET/ — the secret is the page's only credential.
  url: string;
  expiresAt: number; // unix milliseconds
}

export interface NativeResults {
  status: NodeStatus;
  call: CallInfo;
  answer: CallInfo;
  decline: CallInfo;
  hangup: CallInfo;
  turn: TurnInfo;
  signal: null;
  link: LinkInfo;
  'wait-link': null;
  'publish-open': PublishOpened;
}

export type RequestFrame = NativeRequest & { v: number; id: number };

export type ReplyFrame =
  | { v: number; id: number; ok: true; result: unknown }
  | { v: number; id: number; ok: false; error: ErrorInfo };

export type NodeEvent = { event: 'call'; call: CallInfo } | { event: 'signal'; callId: string; signal: Signal };

export type EventFrame = NodeEvent & { v: number };

const REQUEST_TYPES = ['status', 'call', 'answer', 'decline', 'hangup', 'turn', 'signal', 'link', 'wait-link', 'publish-open'] as const;
const INVITATION = /^[0-9a-f]{16}$/;

export function decodeRequest(value: unknown): RequestFrame {
  const o: Obj = object(value, 'request');
  version(o, NATIVE_VERSION);
  const id = integer(o, 'id', 0, Number.MAX_SAFE_INTEGER);
  if (typeof o.type !== 'string' || !(REQUEST_TYPES as readonly string[]).includes(o.type)) {
    throw CopybaraError.UNKNOWN_TYPE(o.type);
  }
  const type = o.type as NativeRequest['type'];
  const head = { v: NATIVE_VERSION, id };
  switch (type) {
    case 'status':
      return { ...head, type };
    case 'call':
      return {
        ...head,
        type,
        target: string(o, 'target', 256),
        ...(o.name === undefined || o.name === null ? {} : { name: string(o, 'name', MAX_NAME) }),
        ...(o.invitation === undefined || o.invitation === null ? {} : { invitation: string(o, 'invitation', 16, INVITATION) }),
      };
    case 'link':
      return {
        ...head,
        type,
        ...(o.name === undefined || o.name === null ? {} : { name: string(o, 'name', MAX_NAME) }),
        ...(o.lifetimeS === undefined || o.lifetimeS === null ? {} : { lifetimeS: integer(o, 'lifetimeS', 60, 7 * 24 * 3600) }),
        ...(o.callee === undefined || o.callee === null ? {} : { callee: string(o, 'callee', 52, NODE_ID_PATTERN) }),
      };
    case 'wait-link':
      return { ...head, type, invitation: string(o, 'invitation', 16, INVITATION), waiting: boolean(o, 'waiting') };
    case 'signal':
      return { ...head, type, callId: string(o, 'callId', 32, CALL_ID), signal: decodeSignal(o.signal) };
    case 'publish-open':
      return {
        ...head,
        type,
        endpoints: decodePublishEndpoints(o.endpoints),
        ...(o.name === undefined || o.name === null ? {} : { name: string(o, 'name', MAX_NAME) }),
      };
    default:
      return { ...head, type, callId: string(o, 'callId', 32, CALL_ID) };
  }
}

// The page's CSP lets it connect to exactly these, so they are checked as strictly as the
// options page checks them (lib/ext/settings.ts): a stray `;` or space would rewrite the policy.
export const MAX_PUBLISH_ENDPOINTS = 8;
const MAX_ENDPOINT_URL = 512;
const ENDPOINT_URL = /^wss?:\/\/[^\s;,'"#]+$/;

function endpointList(e: Obj, chain: keyof PublishEndpoints): string[] {
  const list = e[chain];
  if (!Array.isArray(list)) throw CopybaraError.BAD_MESSAGE(`endpoints.${chain} must be a list of ws:// or wss:// addresses`);
  if (list.length > MAX_PUBLISH_ENDPOINTS) throw CopybaraError.BAD_MESSAGE(`endpoints.${chain} has more than ${MAX_PUBLISH_ENDPOINTS} addresses`);
  return list.map((url, i) => {
    const where = `endpoints.${chain}[${i}]`;
    if (typeof url !== 'string') throw CopybaraError.BAD_MESSAGE(`${where} must be text`);
    if (url.length > MAX_ENDPOINT_URL) throw CopybaraError.BAD_MESSAGE(`${where} is longer than ${MAX_ENDPOINT_URL} characters`);
    if (!ENDPOINT_URL.test(url)) throw CopybaraError.BAD_MESSAGE(`${where} must be a ws:// or wss:// address`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw CopybaraError.BAD_MESSAGE(`${where} is not an address`);
    }
    if (parsed.username || parsed.password) throw CopybaraError.BAD_MESSAGE(`${where} must not contain a user name or password`);
    return url;
  });
}

export function decodePublishEndpoints(value: unknown): PublishEndpoints {
  const e = object(value, 'endpoints');
  const endpoints = { azero: endpointList(e, 'azero'), tzero: endpointList(e, 'tzero') };
  if (endpoints.azero.length + endpoints.tzero.length === 0) throw CopybaraError.BAD_MESSAGE('endpoints: give at least one chain endpoint');
  return endpoints;
}

const CALL_STATES = ['dialing', 'ringing', 'incoming', 'active', 'ended'] as const;
const END_REASONS = [
  'hangup',
  'remote-hangup',
  'declined',
  'busy',
  'no-answer',
  'missed',
  'unreachable',
  'peer-lost',
  'refused',
  'failed',
] as const;

function nullableTime(o: Obj, key: string): number | null {
  return o[key] === null || o[key] === undefined ? null : integer(o, key, 0, Number.MAX_SAFE_INTEGER);
}

function nullableText(o: Obj, key: string, max: number): string | null {
  return o[key] === null || o[key] === undefined ? null : string(o, key, max);
}

export function decodeCallInfo(value: unknown): CallInfo {
  const o = object(value, 'call');
  return {
    callId: string(o, 'callId', 32, CALL_ID),
    direction: oneOf(o, 'direction', ['outgoing', 'incoming'] as const),
    peer: string(o, 'peer', 52, NODE_ID_PATTERN),
    peerName: nullableText(o, 'peerName', 256),
    state: oneOf(o, 'state', CALL_STATES),
    reason: o.reason === null || o.reason === undefined ? null : oneOf(o, 'reason', END_REASONS),
    detail: nullableText(o, 'detail', 1024),
    safetyCode: nullableText(o, 'safetyCode', 64),
    createdAt: integer(o, 'createdAt', 0, Number.MAX_SAFE_INTEGER),
    answeredAt: nullableTime(o, 'answeredAt'),
    endedAt: nullableTime(o, 'endedAt'),
    invitation: o.invitation === null || o.invitation === undefined ? null : string(o, 'invitation', 16, INVITATION),
    viaLink: o.viaLink === true,
  };
}

// What the extension accepts from the node: a reply to one of its requests, or an event.
export function decodeNodeFrame(value: unknown): ReplyFrame | EventFrame {
  const o = object(value, 'node message');
  version(o, NATIVE_VERSION);
  if (o.event === 'call') return { v: NATIVE_VERSION, event: 'call', call: decodeCallInfo(o.call) };
  if (o.event === 'signal') {
    return { v: NATIVE_VERSION, event: 'signal', callId: string(o, 'callId', 32, CALL_ID), signal: decodeSignal(o.signal) };
  }
  if (o.event !== undefined) throw CopybaraError.UNKNOWN_TYPE(o.event);
  const id = integer(o, 'id', 0, Number.MAX_SAFE_INTEGER);
  if (o.ok === true) return { v: NATIVE_VERSION, id, ok: true, result: o.result ?? null };
  if (o.ok === false) {
    const e = object(o.error, 'error');
    return { v: NATIVE_VERSION, id, ok: false, error: errorInfoFrom(string(e, 'code', 64), string(e, 'message', 1024)) };
  }
  throw CopybaraError.BAD_MESSAGE('a reply needs ok: true or false');
}
