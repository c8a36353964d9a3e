import { CopybaraError, type ErrorInfo, ReplyError, errorInfoFrom } from '../errors';
import type { Chain, ParsedName, Resolution } from '../names/types';
import {
  CALL_ID,
  type Obj,
  absent,
  boolean,
  integer,
  invitation,
  nullable,
  nullableString,
  object,
  oneOf,
  string,
  time,
} from '../protocol/check';
import {
  type CallInfo,
  type LinkInfo,
  type NetworkState,
  type NodeNetworks,
  type SiteInfo,
  decodeCallInfo,
  decodeNetworkState,
  decodeNetworks,
} from '../protocol/native';
import { type Signal, decodeSignal } from '../protocol/signal';
import { NODE_ID_PATTERN } from '../node-id';
import type { MismatchReason, Verification } from './verification';

// Messages between the extension's pages and its background worker. Everything that
// arrives through `runtime.onMessage` or a runtime port is `unknown` until a decoder here
// has checked it, on both sides: a page trusts the background no more than the reverse.
//
//   popup  --sendMessage(PopupRequest)-->  background  --Reply-->  popup
//   popup  <--port "popup": PopupPush (the whole view, on connect and on every change)
//   call   --port "call": CallPageMessage-->  background
//   call   <--port "call": CallPagePush (call updates, signals, replies)

export const POPUP_PORT = 'popup';
export const CALL_PORT = 'call';
// A call tab waiting for someone to answer our call link (call.html?link=<invitation>).
export const LINK_PORT = 'link';

// ---------------------------------------------------------------------------------------
// Shared shapes

// How the background sees the native host. `missing` needs the user to install the host;
// `disconnected` is retried on its own (retryAt: when, in ms since the epoch).
export type HostState =
  | { kind: 'connecting' }
  | { kind: 'ready' }
  | { kind: 'missing'; detail: string }
  | { kind: 'disconnected'; detail: string; retryAt: number | null };

export type Reply<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

// A call as the pages see it: what the node reports, and what the background found out
// about the name the peer claims (null: no name claimed, or an outgoing call to a node id).
export interface CallEntry {
  call: CallInfo;
  verification: Verification | null;
}

export interface PopupView {
  host: HostState;
  nodeId: string | null;
  // The node's network state; null until the node has answered.
  network: NetworkState | null;
  // The networks the node runs (absent until it has answered, or from an older node).
  networks?: NodeNetworks;
  calls: CallEntry[];
}

function errorInfo(value: unknown): ErrorInfo {
  const e = object(value, 'error');
  return errorInfoFrom(string(e, 'code', 64), string(e, 'message', 1024));
}

export function decodeHostState(value: unknown): HostState {
  const o = object(value, 'host state');
  const kind = oneOf(o, 'kind', ['connecting', 'ready', 'missing', 'disconnected'] as const);
  if (kind === 'connecting' || kind === 'ready') return { kind };
  const detail = string(o, 'detail', 1024);
  if (kind === 'missing') return { kind, detail };
  const retryAt = nullable(o, 'retryAt', time);
  return { kind, detail, retryAt };
}

// A reply whose result is checked by `result` (e.g. decodeCallInfo).
export function decodeReply<T>(value: unknown, result: (value: unknown) => T): Reply<T> {
  const o = object(value, 'reply');
  if (o.ok === true) return { ok: true, result: result(o.result) };
  if (o.ok === false) return { ok: false, error: errorInfo(o.error) };
  throw CopybaraError.BAD_MESSAGE('a reply needs ok: true or false');
}

export function decodePopupView(value: unknown): PopupView {
  const o = object(value, 'view');
  if (!Array.isArray(o.calls)) throw CopybaraError.BAD_MESSAGE('field "calls" must be a list');
  if (o.calls.length > 100) throw CopybaraError.BAD_MESSAGE('field "calls" has too many entries');
  return {
    host: decodeHostState(o.host),
    nodeId: nullableString(o, 'nodeId', 52, NODE_ID_PATTERN),
    network: absent(o, 'network') ? null : decodeNetworkState(o.network),
    ...(absent(o, 'networks') ? {} : { networks: decodeNetworks(o.networks) }),
    calls: o.calls.map(decodeCallEntry),
  };
}

export function decodeCallEntry(value: unknown): CallEntry {
  const o = object(value, 'call entry');
  return { call: decodeCallInfo(o.call), verification: decodeVerification(o.verification) };
}

// Names as they travel between our pages: at most 256 characters (a DNS-length name plus
// slack; the parser in lib/names has the real rules).
const MAX_NAME_TEXT = 256;
const MISMATCH_REASONS = ['other-node', 'no-node-id', 'not-registered'] as const satisfies readonly MismatchReason[];

export function decodeVerification(value: unknown): Verification | null {
  if (value === null || value === undefined) return null;
  const o = object(value, 'verification');
  const status = oneOf(o, 'status', ['checking', 'verified', 'mismatch', 'unverifiable'] as const);
  const name = string(o, 'name', MAX_NAME_TEXT);
  switch (status) {
    case 'checking':
      return { status, name };
    case 'verified':
      return { status, name, verifiedAt: time(o, 'verifiedAt'), fromCache: boolean(o, 'fromCache') };
    case 'mismatch':
      return { status, name, reason: oneOf(o, 'reason', MISMATCH_REASONS) };
    case 'unverifiable':
      return { status, name, error: errorInfo(o.error) };
  }
}

const CHAINS = ['azero', 'tzero'] as const satisfies readonly Chain[];

export function decodeResolution(value: unknown): Resolution {
  const o = object(value, 'resolution');
  const n = object(o.name, 'name');
  const name: ParsedName = {
    label: string(n, 'label', MAX_NAME_TEXT),
    tld: string(n, 'tld', 16),
    chain: oneOf(n, 'chain', CHAINS),
    full: string(n, 'full', MAX_NAME_TEXT),
  };
  const r = object(o.records, 'records');
  return {
    name,
    records: {
      nodeId: nullableString(r, 'nodeId', 52, NODE_ID_PATTERN),
      staexId: nullableString(r, 'staexId', 128),
    },
    verifiedAt: time(o, 'verifiedAt'),
    fromCache: boolean(o, 'fromCache'),
    ...(absent(o, 'source') ? {} : { source: oneOf(o, 'source', ['chain', 'cache', 'stale-cache'] as const) }),
    ...(absent(o, 'staleReason') ? {} : { staleReason: string(o, 'staleReason', 1024) }),
  };
}

function type(o: Obj, types: readonly string[]): string {
  if (typeof o.type !== 'string' || !types.includes(o.type)) throw CopybaraError.UNKNOWN_TYPE(o.type);
  return o.type;
}

function requestId(o: Obj): number {
  return integer(o, 'id', 0, Number.MAX_SAFE_INTEGER);
}

// ---------------------------------------------------------------------------------------
// Popup -> background (runtime.sendMessage), answered with a Reply.

//
// resolve: look a name up (the popup shows progress and may `cancel` it by requestId).
// call: dial a node id; `name` is the name it was resolved from, if any, so the call can
// be shown by that name once the background has confirmed it resolved it so.

export type PopupRequest =
  | { type: 'view' }
  | { type: 'resolve'; name: string; requestId: string }
  | { type: 'cancel'; requestId: string }
  | { type: 'call'; target: string; name?: string }
  | { type: 'focus'; callId: string }
  | { type: 'retry' }
  // Issue a call link (the popup copies its url), then open the tab that waits for it.
  // `callee`: the node id of the only person who may answer it; it then connects at once.
  | { type: 'make-link'; callee?: string }
  | { type: 'wait-link'; invitation: string; expiresAt: number }
  // Open the node's publishing page in a tab (entrypoints/background/publish.ts).
  | { type: 'publish' }
  // The site this node publishes (the options page): `port` publishes 127.0.0.1:port, null
  // stops, absent asks. Passed to the node as its `site` request.
  | { type: 'site'; port?: number | null };

// The publishing page was opened; it stops working at `expiresAt` (ms since the epoch).
export interface PublishStarted {
  expiresAt: number;
}

export interface PopupResults {
  view: PopupView;
  resolve: Resolution;
  cancel: null;
  call: CallInfo;
  focus: null;
  retry: null;
  'make-link': LinkInfo;
  'wait-link': null;
  publish: PublishStarted;
  site: SiteInfo;
}

const POPUP_TYPES = ['view', 'resolve', 'cancel', 'call', 'focus', 'retry', 'make-link', 'wait-link', 'publish', 'site'] as const;
export const REQUEST_ID = /^[0-9a-z]{1,32}$/;

export function decodePopupRequest(value: unknown): PopupRequest {
  const o = object(value, 'popup request');
  const t = type(o, POPUP_TYPES) as PopupRequest['type'];
  switch (t) {
    case 'resolve':
      return { type: t, name: string(o, 'name', MAX_NAME_TEXT), requestId: string(o, 'requestId', 32, REQUEST_ID) };
    case 'cancel':
      return { type: t, requestId: string(o, 'requestId', 32, REQUEST_ID) };
    case 'call':
      return {
        type: t,
        target: string(o, 'target', 256),
        ...(absent(o, 'name') ? {} : { name: string(o, 'name', MAX_NAME_TEXT) }),
      };
    case 'focus':
      return { type: t, callId: string(o, 'callId', 32, CALL_ID) };
    case 'wait-link':
      return { type: t, invitation: invitation(o), expiresAt: integer(o, 'expiresAt', 0, 2 ** 32) };
    case 'make-link':
      return { type: t, ...(absent(o, 'callee') ? {} : { callee: string(o, 'callee', 52, NODE_ID_PATTERN) }) };
    case 'site':
      if (o.port === undefined) return { type: t };
      return { type: t, port: o.port === null ? null : integer(o, 'port', 1, 65535) };
    default:
      return { type: t };
  }
}

export function decodePublishStarted(value: unknown): PublishStarted {
  const o = object(value, 'publish page');
  return { expiresAt: time(o, 'expiresAt') };
}

// Background -> popup, on the "popup" port.
export interface PopupPush {
  type: 'view';
  view: PopupView;
}

export function decodePopupPush(value: unknown): PopupPush {
  const o = object(value, 'popup update');
  type(o, ['view']);
  return { type: 'view', view: decodePopupView(o.view) };
}

// ---------------------------------------------------------------------------------------
// Call page -> background, on the "call" port. `watch` names the page's call; every other
// message is a request with an `id` the background echoes in its reply.

export type CallAction = 'answer' | 'decline' | 'hangup' | 'turn';

export type CallPageRequest =
  { type: CallAction; id: number; callId: string } | { type: 'signal'; id: number; callId: string; signal: Signal };

export type CallPageMessage = { type: 'watch'; callId: string } | CallPageRequest;

const CALL_PAGE_TYPES = ['watch', 'answer', 'decline', 'hangup', 'turn', 'signal'] as const;

export function decodeCallPageMessage(value: unknown): CallPageMessage {
  const o = object(value, 'call page message');
  const t = type(o, CALL_PAGE_TYPES) as CallPageMessage['type'];
  const callId = string(o, 'callId', 32, CALL_ID);
  if (t === 'watch') return { type: t, callId };
  const id = requestId(o);
  if (t === 'signal') return { type: t, id, callId, signal: decodeSignal(o.signal) };
  return { type: t, id, callId };
}

// Background -> call page. `gone`: the background does not know the watched call (any
// more). `answer-now`: the user pressed Answer on the system notification.
export type CallPagePush =
  | { type: 'call'; call: CallInfo; verification: Verification | null }
  | { type: 'signal'; callId: string; signal: Signal }
  | { type: 'answer-now'; callId: string }
  | { type: 'gone'; callId: string; error: ErrorInfo }
  | { type: 'host'; host: HostState }
  | ({ type: 'reply'; id: number } & Reply<unknown>);

const CALL_PUSH_TYPES = ['call', 'signal', 'answer-now', 'gone', 'host', 'reply'] as const;

// A reply's result stays `unknown` here: only the request's sender knows its type, and it
// decodes it with decodeCallInfo / decodeTurnInfo.
export function decodeCallPagePush(value: unknown): CallPagePush {
  const o = object(value, 'call update');
  const t = type(o, CALL_PUSH_TYPES) as CallPagePush['type'];
  switch (t) {
    case 'call':
      return { type: t, call: decodeCallInfo(o.call), verification: decodeVerification(o.verification) };
    case 'signal':
      return { type: t, callId: string(o, 'callId', 32, CALL_ID), signal: decodeSignal(o.signal) };
    case 'answer-now':
      return { type: t, callId: string(o, 'callId', 32, CALL_ID) };
    case 'gone':
      return { type: t, callId: string(o, 'callId', 32, CALL_ID), error: errorInfo(o.error) };
    case 'host':
      return { type: t, host: decodeHostState(o.host) };
    case 'reply':
      return { type: t, id: requestId(o), ...decodeReply(o, (r) => r ?? null) };
  }
}

// ---------------------------------------------------------------------------------------
// The waiting tab <-> background, on the "link" port. The page says `wait` once per
// connection; the node waits for the invitation while the port is open. `arrived`: the
// link was answered and the call is `callId` (the page becomes that call's view).

export interface LinkWait {
  type: 'wait';
  invitation: string;
}

export type LinkPush = { type: 'waiting'; invitation: string } | { type: 'arrived'; callId: string } | { type: 'failed'; error: ErrorInfo };

export function decodeLinkWait(value: unknown): LinkWait {
  const o = object(value, 'link wait');
  type(o, ['wait']);
  return { type: 'wait', invitation: invitation(o) };
}

export function decodeLinkPush(value: unknown): LinkPush {
  const o = object(value, 'link update');
  const t = type(o, ['waiting', 'arrived', 'failed']) as LinkPush['type'];
  if (t === 'waiting') return { type: t, invitation: invitation(o) };
  if (t === 'arrived') return { type: t, callId: string(o, 'callId', 32, CALL_ID) };
  return { type: t, error: errorInfo(o.error) };
}

// What the background says about a link a page asked about (content scripts read it
// loosely: `name` and `verified`). `status`: none (no name claimed), verified,
// unverifiable (the claim could not be checked: `message` says why). `callId`: the call
// placed by answer-link.
export interface LinkReport {
  name: string | null;
  verified: boolean;
  status: 'none' | 'verified' | 'unverifiable';
  message: string | null;
  callId: string | null;
}

export function decodeLinkReport(value: unknown): LinkReport {
  const o = object(value, 'link report');
  return {
    name: nullableString(o, 'name', MAX_NAME_TEXT),
    verified: boolean(o, 'verified'),
    status: oneOf(o, 'status', ['none', 'verified', 'unverifiable'] as const),
    message: nullableString(o, 'message', 1024),
    callId: nullableString(o, 'callId', 32, CALL_ID),
  };
}

// ---------------------------------------------------------------------------------------

// A request answered with { ok: false } throws the error with the code it was sent with.
export { ReplyError };

export function unwrap<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.result;
  throw new ReplyError(reply.error);
}
