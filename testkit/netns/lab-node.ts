import { join } from 'node:path';
import { profileAt } from '../../native-host/common/profile';
import { NodeSocket } from '../node-socket';
import { type Proc, startNode, waitForLine } from '../processes';
import type { LabHost } from './lab';
import { type NodeMode, nodeModeFlags } from './node-mode';

// A `copybara-host node` running in a lab host's namespace, driven through its local socket
// (a Unix socket by path, which works across namespaces) the way a bridge drives it.
export interface LabNode {
  name: string;
  host: LabHost;
  proc: Proc;
  nodeId: string;
  profile: string;
  socket: NodeSocket;
  stop(): Promise<void>;
}

export async function startLabNode(
  host: LabHost,
  opts: { root: string; name: string; bootstrap: string; mode: NodeMode; echo?: boolean },
): Promise<LabNode> {
  const profile = join(opts.root, opts.name);
  const { proc, nodeId } = await startNode(profile, opts.bootstrap, opts.name, opts.echo ?? false, {
    netns: host.ns,
    args: nodeModeFlags(opts.mode),
    readyMs: 60_000,
  });
  try {
    // A private node can call once it knows a relay; its lookup runs once, at start.
    if (opts.mode === 'private') {
      const what = `${opts.name}'s relay lookup`;
      const line = await waitForLine(proc, /private mode: (\d+ relays known|relay lookup failed)/, 30_000, what);
      if (!/private mode: [1-9]\d* relays known/.test(line)) throw new Error(`${what} found no relay: ${line}`);
    }
    const socket = await NodeSocket.connect(profileAt(profile).socketPath);
    return {
      name: opts.name,
      host,
      proc,
      nodeId,
      profile,
      socket,
      async stop() {
        socket.close();
        await proc.stop();
      },
    };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
