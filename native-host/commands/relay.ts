import { join } from 'node:path';
import { decodeNodeId, encodeNodeId, isNodeId } from '../../lib/node-id';
import type { HostPort } from '../common/bootstrap';
import type { Log } from '../common/log';
import { type Profile, ensureProfile } from '../common/profile';
import { loadKeyFile } from '../node/identity';
import { RELAY_PAIR_RATE_FLOOR } from '../node/network/relay-rates';
import { type RunningRelay, startRelay } from '../node/network/relay-server';

// `copybara-host relay`: a blind relay for other people's private-mode calls. Its key pair is its
// own (relay-identity.json in the profile), so relaying for others never shows the node's id.
export async function runRelay(opts: {
  profile: Profile;
  bootstrap: HostPort[] | null;
  maxPairs: number;
  maxPairRate: number;
  maxTotalRate: number;
  log: Log;
}): Promise<RunningRelay> {
  await ensureProfile(opts.profile);
  const identity = await loadKeyFile(join(opts.profile.dir, 'relay-identity.json'));
  return startRelay({
    keyPair: { publicKey: identity.publicKey, secretKey: identity.secretKey },
    bootstrap: opts.bootstrap,
    log: opts.log,
    limits: { maxPairs: opts.maxPairs, maxPairRate: opts.maxPairRate, maxTotalRate: opts.maxTotalRate },
  });
}

export const formatRelayKey = (key: Buffer): string => encodeNodeId(key);

// `--relay` on `node`: relay keys as `relay` prints them (or 64 hex digits), comma-separated.
// Throws on anything else.
export function parseRelayKeys(text: string): Buffer[] {
  return text.split(',').map((part) => {
    const t = part.trim();
    if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
    if (isNodeId(t)) return Buffer.from(decodeNodeId(t));
    throw new Error(`"${t}" is not a relay key`);
  });
}

// Rates on the command line, in bytes per second: a number with an optional decimal unit and an
// optional "/s": 2000000, 2MB, 2MB/s, 500kB, 1.5M. Units are powers of 1000 (as network rates
// are quoted); case does not matter.
const RATE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9 };
const MIN_RATE = 16_000;
const MAX_RATE = 10_000_000_000;

// Bytes per second, or an Error saying what is wrong with `text` (without the flag's name).
export function parseRate(text: string): number | Error {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)(?:\/s)?\s*$/i.exec(text);
  const unit = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return new Error(`"${text}" is not a rate: give bytes per second, like 2MB or 500kB`);
  const rate = Math.round(Number(m[1]) * unit);
  if (rate < MIN_RATE || rate > MAX_RATE) return new Error(`${text} is out of range: give 16kB to 10GB per second`);
  return rate;
}

// Both relay rates from their flags (undefined: the default), checked together: a pair may not
// be allowed more than the whole relay. Throws with the flag's name and the reason.
export function relayRates(
  pairText: string | undefined,
  totalText: string | undefined,
  defaults: { maxPairRate: number; maxTotalRate: number },
) {
  const read = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const rate = parseRate(text);
    if (rate instanceof Error) throw new Error(`${flag}: ${rate.message}`);
    return rate;
  };
  const maxPairRate = read('--max-pair-rate', pairText, defaults.maxPairRate);
  const maxTotalRate = read('--max-total-rate', totalText, defaults.maxTotalRate);
  if (maxTotalRate < maxPairRate)
    throw new Error(`--max-total-rate (${maxTotalRate} bytes/s) is less than --max-pair-rate (${maxPairRate} bytes/s)`);
  return { maxPairRate, maxTotalRate };
}

// What an operator should hear about the rates they chose, before the relay starts: a per-pair
// rate under the floor every relay promises is allowed (a relay on a thin uplink), but nodes
// pace relayed downloads to that floor, so this relay will cut them.
export function relayRateWarning(maxPairRate: number): string | null {
  if (maxPairRate >= RELAY_PAIR_RATE_FLOOR) return null;
  const floor = RELAY_PAIR_RATE_FLOOR / 1_000_000;
  return (
    `warning: --max-pair-rate ${maxPairRate} bytes/s is below the ${floor} MB/s each way that nodes count on every relay ` +
    `to carry; they send site downloads at up to that, so this relay will cut those. Give at least ${floor}MB to carry them.`
  );
}
