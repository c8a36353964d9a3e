import { runIn } from './run';

// What a NAT kind means on a Linux router namespace with a `wan` leg on the internet and a
// `lan` leg to its host.
export type NatKind = 'none' | 'port-restricted' | 'symmetric';

export const NAT_KINDS: readonly NatKind[] = ['none', 'port-restricted', 'symmetric'];

// Both kinds filter the same way: conntrack lets in only replies to what the host sent, from
// the very address and port it sent to (port-restricted filtering); anything else is dropped.
// They differ in mapping: plain MASQUERADE keeps the host's source port for every destination
// (one public mapping, as a port-restricted cone NAT does), `--random-fully` picks a random
// public port for every new destination (a symmetric NAT: the port a peer learns from a
// third party is not the one that reaches it).
export async function configureRouter(ns: string, kind: Exclude<NatKind, 'none'>): Promise<void> {
  await runIn(ns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE'];
  await runIn(ns, 'iptables', kind === 'symmetric' ? [...masquerade, '--random-fully'] : masquerade);
  await runIn(ns, 'iptables', ['-P', 'FORWARD', 'DROP']);
  await runIn(ns, 'iptables', ['-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-j', 'ACCEPT']);
  await runIn(ns, 'iptables', [
    ...['-A', 'FORWARD', '-i', 'wan', '-o', 'lan'],
    ...['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
  ]);
  // Unsolicited packets to the router's own public address are dropped too, as home routers do.
  // Accepted there, they would draw an ICMP error and leave a conntrack entry on the very public
  // port the host is about to punch from, so its next packet out would be mapped to another port.
  await runIn(ns, 'iptables', ['-A', 'INPUT', '-i', 'wan', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT']);
  await runIn(ns, 'iptables', ['-A', 'INPUT', '-i', 'wan', '-j', 'DROP']);
}
