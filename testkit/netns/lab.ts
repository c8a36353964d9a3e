import { type NatKind, configureRouter } from './router';
import { CommandError, run, runIn } from './run';
import { newLabId, removeStaleNamespaces } from './names';

// A small internet in network namespaces: an "internet" namespace holding a bridge
// (11.77.0.0/24, its own address 11.77.0.1, where bootstrap nodes and relays run), and per
// host either a namespace directly on that bridge (NAT kind `none`) or a router namespace
// (public leg 11.77.0.(10+N) on the bridge, LAN 10.77.N.0/24) with the host namespace behind
// it at 10.77.N.2.
//
// The internet is not in 10.0.0.0/8 on purpose: HyperDHT treats private and reserved
// addresses (its `bogon` list: 10/8, 100.64/10, 172.16/12, 192.168/16, the TEST-NETs…) as
// LAN addresses and never holepunches to them, so with a 10.x internet every direct
// connection fails, whatever the NATs. 11.77.0.0/24 is an ordinary public address range; it
// never leaves the lab, whose namespaces have no route to anything outside.

const INTERNET_PREFIX = '11.77.0';
const INTERNET_ADDRESS = `${INTERNET_PREFIX}.1`;

export interface LabHost {
  kind: NatKind;
  // Namespace to run the host's programs in.
  ns: string;
  // Its own address, and the address the internet sees it from (the router's, behind a NAT).
  address: string;
  publicAddress: string;
  routerNs: string | null;
}

export interface Lab {
  id: string;
  internet: { ns: string; address: string };
  hosts: LabHost[];
  close(): Promise<void>;
}

export const SKIP_NETNS = process.env.COPYBARA_SKIP_NETNS === '1';

async function addNamespace(name: string, made: string[]): Promise<void> {
  try {
    await run('ip', ['netns', 'add', name]);
  } catch (err) {
    const why = err instanceof CommandError ? err.stderr.trim() : String(err);
    throw new Error(
      `network-namespace tests need root and iproute2 (ip netns add failed: ${why}); set COPYBARA_SKIP_NETNS=1 to skip them on this machine`,
    );
  }
  made.push(name);
  await runIn(name, 'ip', ['link', 'set', 'lo', 'up']);
}

async function addHost(id: string, index: number, kind: NatKind, internet: string, made: string[]): Promise<LabHost> {
  const publicAddress = `${INTERNET_PREFIX}.${10 + index}`;
  const ns = `${id}-h${index}`;
  await addNamespace(ns, made);
  const leg = `v${index}`;
  if (kind === 'none') {
    await run('ip', ['-n', internet, 'link', 'add', leg, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await run('ip', ['-n', internet, 'link', 'set', leg, 'master', 'br0', 'up']);
    await run('ip', ['-n', ns, 'addr', 'add', `${publicAddress}/24`, 'dev', 'eth0']);
    await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    return { kind, ns, address: publicAddress, publicAddress, routerNs: null };
  }
  const router = `${id}-r${index}`;
  await addNamespace(router, made);
  await run('ip', ['-n', internet, 'link', 'add', leg, 'type', 'veth', 'peer', 'name', 'wan', 'netns', router]);
  await run('ip', ['-n', internet, 'link', 'set', leg, 'master', 'br0', 'up']);
  await run('ip', ['-n', router, 'addr', 'add', `${publicAddress}/24`, 'dev', 'wan']);
  await run('ip', ['-n', router, 'link', 'set', 'wan', 'up']);
  await run('ip', ['-n', router, 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await run('ip', ['-n', router, 'addr', 'add', `10.77.${index}.1/24`, 'dev', 'lan']);
  await run('ip', ['-n', router, 'link', 'set', 'lan', 'up']);
  const address = `10.77.${index}.2`;
  await run('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', `10.77.${index}.1`]);
  await configureRouter(router, kind);
  return { kind, ns, address, publicAddress, routerNs: router };
}

// One host per entry of `kinds`, in that order (hosts[i] has index i+1 in its addresses).
export async function startLab(kinds: NatKind[]): Promise<Lab> {
  if (kinds.length > 200) throw new Error('a lab holds at most 200 hosts');
  if (process.getuid?.() !== 0) {
    throw new Error(
      `network-namespace tests need root (running as uid ${process.getuid?.()}); set COPYBARA_SKIP_NETNS=1 to skip them on this machine`,
    );
  }
  await removeStaleNamespaces();
  const id = newLabId();
  const made: string[] = [];
  const close = async () => {
    const errors: string[] = [];
    for (const name of made.reverse()) {
      await run('ip', ['netns', 'del', name]).catch((err: Error) => errors.push(err.message));
    }
    made.length = 0;
    if (errors.length) throw new Error(`lab ${id}: could not remove everything:\n${errors.join('\n')}`);
  };
  try {
    const internet = `${id}-net`;
    await addNamespace(internet, made);
    await run('ip', ['-n', internet, 'link', 'add', 'br0', 'type', 'bridge']);
    await run('ip', ['-n', internet, 'addr', 'add', `${INTERNET_ADDRESS}/24`, 'dev', 'br0']);
    await run('ip', ['-n', internet, 'link', 'set', 'br0', 'up']);
    const hosts: LabHost[] = [];
    for (const [i, kind] of kinds.entries()) hosts.push(await addHost(id, i + 1, kind, internet, made));
    return { id, internet: { ns: internet, address: INTERNET_ADDRESS }, hosts, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
