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
  // As the browser says when "Allow direct connections with contacts" is on and these are contacts.
  allowDirect(nodeIds: string[]): Promise<void>;
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
    // A private node can call once it knows a relay (it looks again while it knows none).
    if (opts.mode !== 'direct') {
      await waitForLine(proc, /private mode: [1-9]\d* relays? known/, 30_000, `${opts.name}'s relay lookup finding the lab relay`);
    }
    const socket = await NodeSocket.connect(profileAt(profile).socketPath);
    return {
      name: opts.name,
      host,
      proc,
      nodeId,
      profile,
      socket,
      async allowDirect(nodeIds) {
        await socket.request({ type: 'ring-policy', blocked: [], allowOnly: null, direct: nodeIds, relays: [] });
      },
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
