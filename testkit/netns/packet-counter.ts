import type { LabHost } from './lab';
import { runIn } from './run';

// Counts the packets that reach a lab host's edge from one address: an iptables rule at the
// very start of the mangle table's PREROUTING chain, on the host's router (behind a NAT) or on
// the host itself (no NAT), so it sees every packet from `source`, whether the router then
// forwards it, drops it, or answers it itself.
export interface PacketCounter {
  packets(): Promise<number>;
  remove(): Promise<void>;
}

export async function countPacketsFrom(host: LabHost, source: string): Promise<PacketCounter> {
  const ns = host.routerNs ?? host.ns;
  const tag = `copybara-from-${source}`;
  const rule = ['-s', `${source}/32`, '-m', 'comment', '--comment', tag];
  await runIn(ns, 'iptables', ['-t', 'mangle', '-I', 'PREROUTING', '1', ...rule]);
  return {
    async packets() {
      const listing = await runIn(ns, 'iptables', ['-t', 'mangle', '-L', 'PREROUTING', '-v', '-x', '-n']);
      const line = listing.split('\n').find((l) => l.includes(`/* ${tag} */`));
      if (!line) throw new Error(`the packet counter for ${source} is gone from ${ns}`);
      const packets = Number(line.trim().split(/\s+/)[0]);
      if (!Number.isInteger(packets)) throw new Error(`cannot read the packet count in "${line.trim()}"`);
      return packets;
    },
    async remove() {
      await runIn(ns, 'iptables', ['-t', 'mangle', '-D', 'PREROUTING', ...rule]);
    },
  };
}
