import { join } from 'node:path';
import { decodeNodeId, encodeNodeId, isNodeId } from '../../lib/node-id';
import type { HostPort } from '../common/bootstrap';
import type { Log } from '../common/log';
import { type Profile, ensureProfile } from '../common/profile';
import { loadKeyFile } from '../node/identity';
import { type RunningRelay, startRelay } from '../node/network/relay-server';

// `copybara-host relay`: a blind relay for other people's private-mode calls. Its key pair is its
// own (relay-identity.json in the profile), so relaying for others never shows the node's id.
export async function runRelay(opts: {
  profile: Profile;
  bootstrap: HostPort[] | null;
  maxPairs: number;
  log: Log;
}): Promise<RunningRelay> {
  await ensureProfile(opts.profile);
  const identity = await loadKeyFile(join(opts.profile.dir, 'relay-identity.json'));
  return startRelay({
    keyPair: { publicKey: identity.publicKey, secretKey: identity.secretKey },
    bootstrap: opts.bootstrap,
    log: opts.log,
    limits: { maxPairs: opts.maxPairs },
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
