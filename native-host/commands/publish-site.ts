import type { SiteInfo } from '../../lib/protocol/native';
import { decodeSiteInfo } from '../../lib/protocol/native';
import { requestOnce } from '../common/node-client';
import type { Profile } from '../common/profile';
import { loadPublished, savePublished, siteFilePath } from '../node/sites/published';

// `copybara-host publish PORT | --list | --stop`: what the node publishes as its site. With the
// node running, it is told (and saves the choice itself); with none running, the choice is saved
// in the profile for the next start.

export type PublishAction = { kind: 'publish'; port: number } | { kind: 'list' } | { kind: 'stop' };

export function parsePublishPort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw new Error(`"${text}" is not a port: give the local port of your web server, 1 to 65535`);
  return Number(text);
}

export async function runPublishSite(profile: Profile, action: PublishAction): Promise<string> {
  const port = action.kind === 'publish' ? action.port : action.kind === 'stop' ? null : undefined;
  let info: SiteInfo | null = null;
  try {
    info = decodeSiteInfo(await requestOnce(profile.socketPath, 'site', 5000, port === undefined ? {} : { port }));
  } catch (err) {
    // Only "no node is running" falls back to the file; a node that answered with an error says so.
    if (!isNoNode(err)) throw err;
  }
  const file = siteFilePath(profile.dir);
  if (info === null) {
    if (port !== undefined) await savePublished(file, port === null ? null : { port });
    const published = await loadPublished(file);
    return describe(published, null, false);
  }
  return describe(info.published, info.proxyPort, true);
}

function describe(published: { port: number } | null, proxyPort: number | null, running: boolean): string {
  const lines = [published ? `publishing http://127.0.0.1:${published.port} as this node's site` : 'publishing nothing'];
  if (!running) lines.push('(no node is running; this applies when it starts)');
  else if (proxyPort !== null) lines.push(`site proxy for visits: 127.0.0.1:${proxyPort}`);
  return `${lines.join('\n')}\n`;
}

function isNoNode(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'NODE_UNAVAILABLE';
}
