import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import DHT from 'hyperdht';
import { CopybaraError } from '../../lib/errors';
import { encodeNodeId } from '../../lib/node-id';
import type { Profile } from '../common/profile';

export interface Identity {
  publicKey: Buffer;
  secretKey: Buffer;
  nodeId: string;
}

// The Ed25519 key pair of this node (HyperDHT's key type). Created on first use; the file
// holds the secret key, so it is created owner-only and tightened if someone loosened it.
export function loadIdentity(profile: Profile): Promise<Identity> {
  return loadKeyFile(profile.identityFile);
}

// The same for any key file of the profile: the node's identity, or a relay's key pair
// (`relay-identity.json`), which is separate so running a relay reveals nothing about the node.
export async function loadKeyFile(file: string): Promise<Identity> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
    return parseIdentity(await readFile(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pair = DHT.keyPair();
  const body = JSON.stringify({ v: 1, publicKey: pair.publicKey.toString('hex'), secretKey: pair.secretKey.toString('hex') });
  try {
    await writeFile(file, body + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process of this profile created it first: use theirs, so there is one identity.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadKeyFile(file);
    throw err;
  }
  return { publicKey: pair.publicKey, secretKey: pair.secretKey, nodeId: encodeNodeId(pair.publicKey) };
}

function parseIdentity(text: string, file: string): Identity {
  let data: { publicKey?: unknown; secretKey?: unknown };
  try {
    data = JSON.parse(text);
  } catch {
    throw CopybaraError.INTERNAL(`${file} is damaged (not JSON); move it away to create a new identity`);
  }
  const hex = /^[0-9a-f]+$/;
  if (typeof data.publicKey !== 'string' || data.publicKey.length !== 64 || !hex.test(data.publicKey)) {
    throw CopybaraError.INTERNAL(`${file} has no valid public key`);
  }
  if (typeof data.secretKey !== 'string' || data.secretKey.length !== 128 || !hex.test(data.secretKey)) {
    throw CopybaraError.INTERNAL(`${file} has no valid secret key`);
  }
  const publicKey = Buffer.from(data.publicKey, 'hex');
  const secretKey = Buffer.from(data.secretKey, 'hex');
  // An Ed25519 secret key in libsodium form ends with its public key.
  if (!secretKey.subarray(32).equals(publicKey)) throw CopybaraError.INTERNAL(`${file} holds keys that do not belong together`);
  return { publicKey, secretKey, nodeId: encodeNodeId(publicKey) };
}
