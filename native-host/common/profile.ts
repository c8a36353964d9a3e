import { chmod, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

// Everything one identity owns lives in one folder, readable by its owner only.

export interface Profile {
  dir: string;
  identityFile: string;
  socketPath: string;
  lockFile: string;
  logFile: string;
  launcher: string;
  invitationsFile: string;
}

export function defaultProfileDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COPYBARA_PROFILE) return resolve(env.COPYBARA_PROFILE);
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'copybara');
}

export function profileAt(dir: string): Profile {
  const abs = resolve(dir);
  return {
    dir: abs,
    identityFile: join(abs, 'identity.json'),
    socketPath: join(abs, 'node.sock'),
    lockFile: join(abs, 'node.lock'),
    logFile: join(abs, 'node.log'),
    launcher: join(abs, 'copybara-bridge.sh'),
    invitationsFile: join(abs, 'invitations.json'),
  };
}

export async function ensureProfile(profile: Profile): Promise<void> {
  await mkdir(profile.dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder's mode alone; tighten it either way.
  await chmod(profile.dir, 0o700);
}
