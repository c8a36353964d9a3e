import { Script } from 'node:vm';
import { CopybaraError, describeError } from '../../lib/errors';
import {
  decodeCallPageMessage,
  decodeCallPagePush,
  decodeLinkPush,
  decodeLinkReport,
  decodeLinkWait,
  decodePopupPush,
  decodePopupRequest,
  decodePublishStarted,
} from '../../lib/ext/messages';
import { SEARCH_ENGINES, searchDecision, searchPattern } from '../../lib/ext/site-search';
import { LinkError } from '../../lib/links/errors';
import { decodeLinkPayload } from '../../lib/links/link';
import { ResolveError } from '../../lib/names/errors';
import { parseProxyServer } from '../../lib/ext/proxy-server';
import { pacScript } from '../../lib/ext/site-proxy';
import * as codec from '../../lib/names/registry-codec';
import { decodeNodeFrame, decodePublishEndpoints, decodePublishOpened, decodeRequest } from '../../lib/protocol/native';
import { decodeSignalling } from '../../lib/protocol/signalling';
import { FrameDecoder } from '../../native-host/common/framing';
import { MccError, parseMccId, parseMccResolve } from '../../native-host/node/network/mcc-output';
import { decodePageConfig } from '../../native-host/node/publish/page/config';
import { StunError } from '../../native-host/node/turn/errors';
import { checkFingerprint } from '../../native-host/node/turn/stun/fingerprint';
import { longTermKey, verifyIntegrity } from '../../native-host/node/turn/stun/integrity';
import { StunMessage } from '../../native-host/node/turn/stun/message';
import { decodeChannelData } from '../../native-host/node/turn/wire/channel-data';
import { forwardedHead, parseRequestHead } from '../../native-host/node/sites/request-head';
import { SiteMux } from '../../native-host/node/sites/mux';
import { framedPair } from '../../testkit/network/framed-pair';

// Every decoder that reads bytes or messages from someone else, with the one error it is
// documented to throw. The corpus of valid inputs for a target is testkit/fuzz-corpus/<name>/
// (.json for JSON targets, .hex for bytes, .txt for text). scripts/fuzz.ts runs them.

export interface FuzzTarget {
  name: string;
  input: 'json' | 'bytes' | 'text';
  // Decode one input: returns, or throws an error `expected` accepts.
  run(input: Uint8Array): void;
  expected(err: unknown): boolean;
}

const UTF8 = new TextDecoder();
const text = (b: Uint8Array) => UTF8.decode(b);
const json = (b: Uint8Array): unknown => JSON.parse(text(b));
const coded = (err: unknown) => err instanceof CopybaraError;
const chainError = (err: unknown) => ResolveError.is(err, 'CHAIN_ERROR');
const stunError = (err: unknown) => err instanceof StunError;

function jsonTarget(name: string, decode: (value: unknown) => unknown): FuzzTarget {
  return { name, input: 'json', run: (b) => void decode(json(b)), expected: coded };
}

// A registry answer as the fuzzer feeds it: 4 bytes of return flags (little-endian), then data.
function registryTarget(name: string, decode: (out: codec.ContractOutput) => unknown): FuzzTarget {
  const run = (b: Uint8Array) => {
    const flags = b.length >= 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0;
    decode({ flags, data: b.subarray(Math.min(4, b.length)) });
  };
  return { name, input: 'bytes', run, expected: chainError };
}

function checkProxyServer(input: string): void {
  const parsed = parseProxyServer(input);
  if (!parsed.ok || !parsed.server) return;
  const script = pacScript(1, parsed.server);
  // Parses (compiles without running) or throws a SyntaxError the fuzzer reports.
  new Script(script);
  const proxyLine = script.split('\n').find((l) => l.includes('return "PROXY ') && !l.includes('127.0.0.1:1'));
  if (!proxyLine || !/^ {2}return "PROXY [0-9a-z.:[\]-]+";$/.test(proxyLine))
    throw new Error(`unexpected PAC line for ${JSON.stringify(input)}`);
}

const STUN_KEY = longTermKey('alice', 'copybara', 'secret');

const SEARCH_PATTERNS = SEARCH_ENGINES.map((e) => new RegExp(searchPattern(e)));

// An address a tab navigated to: never throws, and whatever the block rules stop either opens
// a site or is searched again in a form the rules let through.
function searchAddress(address: string): void {
  const stopped = (url: string) => SEARCH_PATTERNS.some((p) => p.test(url));
  if (!stopped(address)) return;
  const decision = searchDecision(address);
  if (decision === null) throw new Error(`stopped but not handled: ${address}`);
  if ('search' in decision && stopped(decision.search)) throw new Error(`searched again and stopped again: ${address}`);
}

export const TARGETS: readonly FuzzTarget[] = [
  { name: 'links', input: 'text', run: (b) => void decodeLinkPayload(text(b)), expected: (e) => e instanceof LinkError },
  jsonTarget('signalling', decodeSignalling),
  { name: 'site-search', input: 'text', run: (b) => searchAddress(text(b)), expected: () => false },
  // What the local `mcc` prints: not a peer's words, but a closed-source program's whose
  // output is undocumented.
  { name: 'mcc-id', input: 'text', run: (b) => void parseMccId(text(b)), expected: (e) => e instanceof MccError },
  { name: 'mcc-resolve', input: 'text', run: (b) => void parseMccResolve(text(b), 'x'.repeat(52)), expected: (e) => e instanceof MccError },
  // A proxy address typed in the settings ends up inside the PAC script's source: whatever is
  // accepted must give a script that still parses, with nothing of the input outside a string.
  { name: 'proxy-server', input: 'text', run: (b) => checkProxyServer(text(b)), expected: () => false },
  jsonTarget('native-request', decodeRequest),
  jsonTarget('native-node-frame', decodeNodeFrame),
  jsonTarget('ext-popup-request', decodePopupRequest),
  jsonTarget('ext-popup-push', decodePopupPush),
  jsonTarget('ext-call-page-message', decodeCallPageMessage),
  jsonTarget('ext-call-page-push', decodeCallPagePush),
  // The link page's three messages share one corpus: each decoder sees the others' messages too.
  jsonTarget('ext-link-messages', (v) => [decodeLinkPush, decodeLinkReport, decodeLinkWait].map((d) => attempt(d, v, coded))),
  jsonTarget('publish-page-config', decodePageConfig),
  jsonTarget('publish-messages', (v) =>
    [decodePublishOpened, decodePublishStarted, decodePublishEndpoints].map((d) => attempt(d, v, coded)),
  ),
  {
    // Frame errors are reported in the results, never thrown: any throw is a crash. Fed in
    // two chunks split where the input's length says, so partial headers are exercised.
    name: 'framing',
    input: 'bytes',
    run: (b) => {
      const d = new FrameDecoder(4096);
      const cut = b.length === 0 ? 0 : (b.length * 7919) % b.length;
      for (const f of [...d.push(b.subarray(0, cut)), ...d.push(b.subarray(cut))])
        if (!f.ok && !(f.error instanceof CopybaraError)) throw new Error(`not a coded error: ${describeError(f.error)}`);
    },
    expected: () => false,
  },
  {
    name: 'stun',
    input: 'bytes',
    run: (b) => {
      const m = StunMessage.decode(b);
      checkFingerprint(m);
      verifyIntegrity(m, STUN_KEY);
    },
    expected: stunError,
  },
  { name: 'channel-data', input: 'bytes', run: (b) => void decodeChannelData(b), expected: stunError },
  {
    // Refusals are results, never throws. A head that parses must parse again, to the same
    // place, once rewritten for the site: what the site reads is what the proxy checked.
    name: 'request-head',
    input: 'bytes',
    run: (b) => {
      const r = parseRequestHead(b, { maxHeadBytes: 4096, maxHeaders: 50 });
      if (r.kind !== 'head' || r.head.connect) return;
      const again = parseRequestHead(forwardedHead(r.head), { maxHeadBytes: 8192, maxHeaders: 51 });
      if (again.kind !== 'head' || again.head.host !== r.head.host || again.head.port !== r.head.port || again.head.path !== r.head.path)
        throw new Error(`the rewritten head reads differently: ${JSON.stringify(again)}`);
    },
    expected: () => false,
  },
  {
    // A peer's messages at a publisher's multiplexer, each a length byte and that many bytes:
    // whatever they say, at worst a stream or the connection is closed; nothing escapes.
    name: 'site-mux',
    input: 'bytes',
    run: (b) => {
      const [peer, ours] = framedPair();
      const mux = new SiteMux(ours, {
        limits: { maxStreams: 8, window: 4096, chunk: 1024 },
        onStream: (s) => void s.on('error', () => {}).resume(),
      });
      for (let i = 0; i < b.length && !ours.destroyed; i += 1 + b[i]!) peer.write(b.subarray(i + 1, i + 1 + b[i]!));
      mux.close();
    },
    expected: () => false,
  },
  registryTarget('registry-get-all-records', codec.decodeGetAllRecords),
  registryTarget('registry-get-owner', codec.decodeGetOwner),
  registryTarget('registry-get-record', codec.decodeGetRecord),
  registryTarget('registry-get-registry', codec.decodeGetRegistry),
  registryTarget('registry-get-owned-names', codec.decodeGetOwnedNames),
  registryTarget('registry-update-records', codec.decodeUpdateRecords),
];

// Runs one of several decoders sharing an input: its documented error is swallowed so the
// next decoder runs too; anything else propagates as a crash.
function attempt(decode: (v: unknown) => unknown, value: unknown, expected: (err: unknown) => boolean): void {
  try {
    decode(value);
  } catch (err) {
    if (!expected(err)) throw err;
  }
}
