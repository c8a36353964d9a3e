import { CopybaraError, type ErrorInfo, errorInfoFrom } from '../errors';
import { endpointProblem } from '../names/endpoint';
import { NODE_ID_PATTERN } from '../node-id';
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
  version,
} from './check';
import { type Signal, decodeSignal } from './signal';
import { MAX_NAME } from './signalling';

// Messages between the extension and its local node (through the native-messaging bridge).
// Requests carry an `id` that the node echoes in its reply; events carry none.

export const NATIVE_VERSION = 1;

// Chromium disconnects a host that sends more than 1 MiB in one message; the
// browser may send up to 64 MiB, but nothing we send is near that, so both ways share a cap.
export const MAX_NATIVE_MESSAGE = 1024 * 1024;

// dialing: finding the peer's node; ringing: its browser rings; incoming: ours rings;
// active: answered (the call tabs then negotiate media); reconnecting: answered, but the
// connection carrying it was lost and the nodes are finding a new one (media resumes on it
// without the tabs doing anything); ended: see `reason`.
export type CallState = 'dialing' | 'ringing' | 'incoming' | 'active' | 'reconnecting' | 'ended';

export type EndReason =
  | 'hangup'
  | 'remote-hangup'
  | 'declined'
  | 'busy'
  | 'no-answer'
  | 'missed'
  | 'unreachable' // nobody announces the callee's node, or it did not answer: offline
  | 'no-relay' // private mode knew no relay to go through, so nothing was tried
  | 'nat' // both sides' NATs could not be crossed directly
  | 'relay-failed' // the relay could not be reached, or it dropped the pair
  | 'peer-lost'
  | 'refused' // the callee's node refused the call (or a call link; detail says why)
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
  // How the overlay connection runs: through a blind relay (its key, as a node id) or directly
  // (relay null), and on which network (absent: HyperDHT). Absent until the call has a connection.
  route?: CallRoute;
  // The overlay connection's round-trip time in milliseconds, when measured.
  rttMs?: number;
}

export type NetworkName = 'hyperdht' | 'staex';
export const NETWORK_NAMES: readonly NetworkName[] = ['hyperdht', 'staex'];

export interface CallRoute {
  relay: string | null;
  network?: NetworkName;
}

// Why a network is not up: mcc's states, or turned off, or still starting.
export const NETWORK_DOWN_REASONS = ['not-installed', 'not-running', 'no-permission', 'failed', 'disabled', 'starting'] as const;
export type NetworkDownReason = (typeof NETWORK_DOWN_REASONS)[number];

// One network the node can call over: its id there (the Staex id; the node id on HyperDHT),
// or why it is not up and how to fix that.
export interface NetworkInfo {
  name: NetworkName;
  available: boolean;
  id: string | null;
  // The node's own address on that network, when it has one worth showing (Staex's node-local one).
  address: string | null;
  reason: NetworkDownReason | null;
  detail: string | null;
  fix: string | null;
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
  // How the node stands on the network; changes arrive as `network` events.
  network: NetworkState;
  // Private mode (connections only through blind relays) and the relays it knows, best first.
  // `directContacts`: how many contacts may be reached directly ("Allow direct connections with
  // contacts" on), 0 otherwise.
  privacy?: { private: boolean; directContacts: number; relays: RelayInfo[] };
  // The networks this node runs or could run, and which one it prefers for calls.
  networks?: NodeNetworks;
  // The HTTP proxy for .azero, .a0 and .tzero sites, on 127.0.0.1; null when it is not up.
  proxyPort?: number | null;
}

export interface NodeNetworks {
  prefer: NetworkName;
  list: NetworkInfo[];
}

export interface RelayInfo {
  key: string; // node-id form
  pinned: boolean;
  // How fast it answered when last probed; null: not probed.
  rttMs: number | null;
  // Failures since it last worked.
  failures: number;
}

// How the node stands on the network (decided by native-host/node/network/network-state.ts):
// still bootstrapping; bootstrapped with DHT nodes answering (`relays`: how many blind relays
// private mode knows, null when private mode is off); or no DHT node answered at all.
export type NetworkState = { kind: 'connecting' } | { kind: 'online'; relays: number | null } | { kind: 'offline' };

// More relays than this is not a number any node collects (it probes at most a handful).
const MAX_RELAYS_KNOWN = 1000;

export type NativeRequest =
  | { type: 'status' }
  // `name`: the AZERO.ID name the caller claims as its own, sent in the ring for the callee
  // to check against the key that calls.
  // `staexId`: the callee's Staex id (its name's `staex-id` record); `network`: the network the
  // person prefers for this call (the node's default when absent).
  | { type: 'call'; target: string; name?: string; invitation?: string; staexId?: string; network?: NetworkName }
  | { type: 'link'; name?: string; lifetimeS?: number; callee?: string }
  | { type: 'wait-link'; invitation: string; waiting: boolean }
  | { type: 'answer'; callId: string }
  | { type: 'decline'; callId: string }
  | { type: 'hangup'; callId: string }
  // `browser`: which browser's call tab asks; Firefox is given another relay address.
  | { type: 'turn'; callId: string; browser: CallBrowser }
  | { type: 'signal'; callId: string; signal: Signal }
  // Start the publishing page (native-host/node/publish): the wallet that signs lives in the
  // browser and injects itself only into http(s) pages, so the node serves one on 127.0.0.1.
  // `endpoints`: the chain RPC endpoints the page may connect to; `name`: "My name".
  | { type: 'publish-open'; endpoints: PublishEndpoints; name?: string }
  // Who may ring this node and how it connects, sent by the extension on every (re)connect and
  // on every change: keys refused without ringing; when only contacts may ring, the keys that
  // may (null: anyone); `direct`: keys it may connect with directly, showing addresses (contacts,
  // when the person allows it); `relays`: relays the person pinned. Each request replaces the last.
  | { type: 'ring-policy'; blocked: string[]; allowOnly: string[] | null; direct?: string[]; relays?: string[] }
  // The site this node publishes: `port` a number publishes the web server on 127.0.0.1:port
  // (replacing any other), null stops publishing, absent only asks. `endpoints`: the chain
  // endpoints the browser's settings name, for the site proxy's lookups (unless the node was
  // started with its own --endpoint); `network`: the network the person prefers, which visits to
  // sites whose names hold a staex-id take as calls do. Answers with SiteInfo.
  | { type: 'site'; port?: number | null; endpoints?: PublishEndpoints; network?: NetworkName };

export interface SiteInfo {
  // The local port whose server this node publishes; null: none.
  published: { port: number } | null;
  // The node's HTTP proxy for .azero, .a0 and .tzero sites (127.0.0.1); null when it is not up.
  proxyPort: number | null;
}

// The browsers whose WebRTC the node tells apart: Chromium takes a TURN server on loopback,
// Firefox does not.
export const CALL_BROWSERS = ['chromium', 'firefox'] as const;
export type CallBrowser = (typeof CALL_BROWSERS)[number];

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
  'ring-policy': null;
  site: SiteInfo;
}

export type RequestFrame = NativeRequest & { v: number; id: number };

export type ReplyFrame = { v: number; id: number; ok: true; result: unknown } | { v: number; id: number; ok: false; error: ErrorInfo };

export type NodeEvent =
  | { event: 'call'; call: CallInfo }
  | { event: 'signal'; callId: string; signal: Signal }
  // The node's network state changed.
  // `networks`: sent too when a network came up or went down (Staex found or lost).
  | { event: 'network'; network: NetworkState; networks?: NodeNetworks };

export type EventFrame = NodeEvent & { v: number };

const REQUEST_TYPES = [
  'status',
  'call',
  'answer',
  'decline',
  'hangup',
  'turn',
  'signal',
  'link',
  'wait-link',
  'publish-open',
  'ring-policy',
  'site',
] as const;

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
        ...(absent(o, 'name') ? {} : { name: string(o, 'name', MAX_NAME) }),
        ...(absent(o, 'invitation') ? {} : { invitation: invitation(o) }),
        ...(absent(o, 'staexId') ? {} : { staexId: string(o, 'staexId', 52, NODE_ID_PATTERN) }),
        ...(absent(o, 'network') ? {} : { network: oneOf(o, 'network', NETWORK_NAMES) }),
      };
    case 'link':
      return {
        ...head,
        type,
        ...(absent(o, 'name') ? {} : { name: string(o, 'name', MAX_NAME) }),
        ...(absent(o, 'lifetimeS') ? {} : { lifetimeS: integer(o, 'lifetimeS', 60, 7 * 24 * 3600) }),
        ...(absent(o, 'callee') ? {} : { callee: string(o, 'callee', 52, NODE_ID_PATTERN) }),
      };
    case 'wait-link':
      return { ...head, type, invitation: invitation(o), waiting: boolean(o, 'waiting') };
    case 'signal':
      return { ...head, type, callId: string(o, 'callId', 32, CALL_ID), signal: decodeSignal(o.signal) };
    case 'publish-open':
      return {
        ...head,
        type,
        endpoints: decodePublishEndpoints(o.endpoints),
        ...(absent(o, 'name') ? {} : { name: string(o, 'name', MAX_NAME) }),
      };
    case 'ring-policy':
      return {
        ...head,
        type,
        blocked: nodeIdList(o.blocked, 'blocked'),
        allowOnly: o.allowOnly === null ? null : nodeIdList(o.allowOnly, 'allowOnly'),
        ...(absent(o, 'direct') ? {} : { direct: nodeIdList(o.direct, 'direct') }),
        ...(absent(o, 'relays') ? {} : { relays: nodeIdList(o.relays, 'relays') }),
      };
    case 'site':
      return {
        ...head,
        type,
        // null is a value here (stop publishing), not an absent field.
        ...(o.port === undefined ? {} : { port: o.port === null ? null : integer(o, 'port', 1, 65535) }),
        ...(absent(o, 'endpoints') ? {} : { endpoints: decodePublishEndpoints(o.endpoints) }),
        ...(absent(o, 'network') ? {} : { network: oneOf(o, 'network', NETWORK_NAMES) }),
      };
    case 'turn':
      return { ...head, type, callId: string(o, 'callId', 32, CALL_ID), browser: callBrowser(o) };
    default:
      return { ...head, type, callId: string(o, 'callId', 32, CALL_ID) };
  }
}

function callBrowser(o: Obj): CallBrowser {
  const value = o.browser;
  if (typeof value !== 'string' || !(CALL_BROWSERS as readonly string[]).includes(value)) {
    throw CopybaraError.BAD_MESSAGE(`field "browser" must be one of ${CALL_BROWSERS.join(', ')}`);
  }
  return value as CallBrowser;
}

// 500 contacts, each with a node id and the last node id of its name.
export const MAX_POLICY_KEYS = 1000;

function nodeIdList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw CopybaraError.BAD_MESSAGE(`field "${field}" must be a list of node ids`);
  if (value.length > MAX_POLICY_KEYS) throw CopybaraError.BAD_MESSAGE(`field "${field}" has more than ${MAX_POLICY_KEYS} node ids`);
  return value.map((id, i) => {
    if (typeof id !== 'string' || id.length !== 52 || !NODE_ID_PATTERN.test(id))
      throw CopybaraError.BAD_MESSAGE(`${field}[${i}] is not a node id (52 characters, lower-case base32)`);
    return id;
  });
}

// The page's CSP lets it connect to exactly these, so they are checked as strictly as the
// options page checks them (lib/ext/settings.ts): a stray `;` or space would rewrite the policy.
export const MAX_PUBLISH_ENDPOINTS = 8;

function endpointList(e: Obj, chain: keyof PublishEndpoints): string[] {
  const list = e[chain];
  if (!Array.isArray(list)) throw CopybaraError.BAD_MESSAGE(`endpoints.${chain} must be a list of ws:// or wss:// addresses`);
  if (list.length > MAX_PUBLISH_ENDPOINTS)
    throw CopybaraError.BAD_MESSAGE(`endpoints.${chain} has more than ${MAX_PUBLISH_ENDPOINTS} addresses`);
  return list.map((url, i) => {
    const where = `endpoints.${chain}[${i}]`;
    if (typeof url !== 'string') throw CopybaraError.BAD_MESSAGE(`${where} must be text`);
    // The same rule as the options page (lib/names/endpoint.ts): no wildcard, ws:// only to
    // this computer, nothing that could rewrite the CSP built from these.
    const problem = endpointProblem(url);
    if (problem) throw CopybaraError.BAD_MESSAGE(`${where} must be a ws:// or wss:// address: ${problem.replace(/\.$/, '')}`);
    return url;
  });
}

export function decodePublishEndpoints(value: unknown): PublishEndpoints {
  const e = object(value, 'endpoints');
  const endpoints = { azero: endpointList(e, 'azero'), tzero: endpointList(e, 'tzero') };
  if (endpoints.azero.length + endpoints.tzero.length === 0) throw CopybaraError.BAD_MESSAGE('endpoints: give at least one chain endpoint');
  return endpoints;
}

const CALL_STATES = ['dialing', 'ringing', 'incoming', 'active', 'reconnecting', 'ended'] as const;
const END_REASONS = [
  'hangup',
  'remote-hangup',
  'declined',
  'busy',
  'no-answer',
  'missed',
  'unreachable',
  'no-relay',
  'nat',
  'relay-failed',
  'peer-lost',
  'refused',
  'failed',
] as const;

export function decodeCallInfo(value: unknown): CallInfo {
  const o = object(value, 'call');
  return {
    callId: string(o, 'callId', 32, CALL_ID),
    direction: oneOf(o, 'direction', ['outgoing', 'incoming'] as const),
    peer: string(o, 'peer', 52, NODE_ID_PATTERN),
    peerName: nullableString(o, 'peerName', 256),
    state: oneOf(o, 'state', CALL_STATES),
    reason: nullable(o, 'reason', (o, key) => oneOf(o, key, END_REASONS)),
    detail: nullableString(o, 'detail', 1024),
    safetyCode: nullableString(o, 'safetyCode', 64),
    createdAt: time(o, 'createdAt'),
    answeredAt: nullable(o, 'answeredAt', time),
    endedAt: nullable(o, 'endedAt', time),
    invitation: nullable(o, 'invitation', invitation),
    viaLink: o.viaLink === true,
    ...(absent(o, 'route') ? {} : { route: decodeRoute(o.route) }),
    ...(absent(o, 'rttMs') ? {} : { rttMs: integer(o, 'rttMs', 0, 600_000) }),
  };
}

function decodeRoute(value: unknown): CallRoute {
  const r = object(value, 'route');
  return {
    relay: nullable(r, 'relay', (o, key) => string(o, key, 52, NODE_ID_PATTERN)),
    ...(absent(r, 'network') ? {} : { network: oneOf(r, 'network', NETWORK_NAMES) }),
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
  if (o.event === 'network')
    return {
      v: NATIVE_VERSION,
      event: 'network',
      network: decodeNetworkState(o.network),
      ...(absent(o, 'networks') ? {} : { networks: decodeNetworks(o.networks) }),
    };
  if (o.event !== undefined) throw CopybaraError.UNKNOWN_TYPE(o.event);
  const id = integer(o, 'id', 0, Number.MAX_SAFE_INTEGER);
  if (o.ok === true) return { v: NATIVE_VERSION, id, ok: true, result: o.result ?? null };
  if (o.ok === false) {
    const e = object(o.error, 'error');
    return { v: NATIVE_VERSION, id, ok: false, error: errorInfoFrom(string(e, 'code', 64), string(e, 'message', 1024)) };
  }
  throw CopybaraError.BAD_MESSAGE('a reply needs ok: true or false');
}

// ---------------------------------------------------------------------------------------
// The `result` of each reply, checked before the extension relies on it.

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
    invitation: invitation(o),
    expiresAt: integer(o, 'expiresAt', 0, 2 ** 32),
  };
}

// The background opens this address in a tab: only the node's own loopback page, never
// another site, whatever the reply says.
export const PUBLISH_URL = /^http:\/\/127\.0\.0\.1:[1-9][0-9]{0,4}\/publish\/[A-Za-z0-9_-]{22,86}\/$/;

export function decodePublishOpened(value: unknown): PublishOpened {
  const o = object(value, 'publish page');
  return { url: string(o, 'url', 160, PUBLISH_URL), expiresAt: time(o, 'expiresAt') };
}

export function decodeSiteInfo(value: unknown): SiteInfo {
  const o = object(value, 'site');
  const port = (o: Obj, key: string) => integer(o, key, 1, 65535);
  return {
    published: nullable(o, 'published', (o, key) => ({ port: port(object(o[key], 'published'), 'port') })),
    proxyPort: nullable(o, 'proxyPort', port),
  };
}

export function decodeNodeStatus(value: unknown): NodeStatus {
  const o = object(value, 'status');
  if (!Array.isArray(o.calls)) throw CopybaraError.BAD_MESSAGE('field "calls" must be a list');
  return {
    nodeId: string(o, 'nodeId', 52, NODE_ID_PATTERN),
    version: string(o, 'version', 64),
    backend: string(o, 'backend', 64),
    turnPort: integer(o, 'turnPort', 0, 65535),
    dhtPort: nullable(o, 'dhtPort', (o, key) => integer(o, key, 0, 65535)),
    calls: o.calls.map(decodeCallInfo),
    network: decodeNetworkState(o.network),
    ...(absent(o, 'privacy') ? {} : { privacy: decodePrivacy(o.privacy) }),
    ...(absent(o, 'proxyPort') ? {} : { proxyPort: nullable(o, 'proxyPort', (o, key) => integer(o, key, 1, 65535)) }),
    ...(absent(o, 'networks') ? {} : { networks: decodeNetworks(o.networks) }),
  };
}

export function decodeNetworks(value: unknown): NodeNetworks {
  const o = object(value, 'networks');
  if (!Array.isArray(o.list) || o.list.length > NETWORK_NAMES.length)
    throw CopybaraError.BAD_MESSAGE(`field "list" must be a list of at most ${NETWORK_NAMES.length} networks`);
  return {
    prefer: oneOf(o, 'prefer', NETWORK_NAMES),
    list: o.list.map((v: unknown) => {
      const n = object(v, 'network');
      return {
        name: oneOf(n, 'name', NETWORK_NAMES),
        available: boolean(n, 'available'),
        id: nullableString(n, 'id', 52, NODE_ID_PATTERN),
        address: nullableString(n, 'address', 64),
        reason: nullable(n, 'reason', (o, key) => oneOf(o, key, NETWORK_DOWN_REASONS)),
        detail: nullableString(n, 'detail', 512),
        fix: nullableString(n, 'fix', 512),
      };
    }),
  };
}

const MAX_RELAYS_LISTED = 64;

function decodePrivacy(value: unknown): NonNullable<NodeStatus['privacy']> {
  const o = object(value, 'privacy');
  if (!Array.isArray(o.relays) || o.relays.length > MAX_RELAYS_LISTED)
    throw CopybaraError.BAD_MESSAGE(`field "relays" must be a list of at most ${MAX_RELAYS_LISTED} relays`);
  return {
    private: o.private === true,
    directContacts: integer(o, 'directContacts', 0, MAX_POLICY_KEYS),
    relays: o.relays.map((r: unknown) => {
      const e = object(r, 'relay');
      return {
        key: string(e, 'key', 52, NODE_ID_PATTERN),
        pinned: e.pinned === true,
        rttMs: nullable(e, 'rttMs', (o, key) => integer(o, key, 0, 600_000)),
        failures: integer(e, 'failures', 0, 1_000_000),
      };
    }),
  };
}

export function decodeNetworkState(value: unknown): NetworkState {
  const o = object(value, 'network');
  const kind = oneOf(o, 'kind', ['connecting', 'online', 'offline'] as const);
  if (kind !== 'online') return { kind };
  return { kind, relays: nullable(o, 'relays', (o, key) => integer(o, key, 0, MAX_RELAYS_KNOWN)) };
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
  'ring-policy': decodeNull,
  site: decodeSiteInfo,
};
