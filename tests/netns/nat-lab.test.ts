import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, SKIP_NETNS, startLab } from '../../testkit/netns/lab';
import { PREFIX, listNamespaces } from '../../testkit/netns/names';
import { NAT_KINDS } from '../../testkit/netns/router';
import { run } from '../../testkit/netns/run';
import { UdpPeer } from '../../testkit/netns/udp';

// The lab's NATs behave as named, checked with real UDP: a host's datagrams reach the
// internet from its router's public address; a symmetric router maps every destination to its
// own public port, a port-restricted one keeps one mapping; a datagram from an address and
// port the host never sent to does not reach it.

const ECHO_PORTS = [7001, 7002];
const STRANGER_PORT = 7003;
const HOST_PORT = 5000;

function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host: host!, port: Number(port) };
}

describe.skipIf(SKIP_NETNS)(SKIP_NETNS ? 'NAT lab (skipped: COPYBARA_SKIP_NETNS=1)' : 'NAT lab', () => {
  let lab: Lab;
  let internet: UdpPeer;

  beforeAll(async () => {
    lab = await startLab([...NAT_KINDS]);
    internet = await UdpPeer.start(lab.internet.ns, [...ECHO_PORTS, STRANGER_PORT], { echo: true, name: 'echo' });
  });

  afterAll(async () => {
    await internet?.stop();
    await lab?.close();
  });

  for (const [i, kind] of NAT_KINDS.entries()) {
    it(`${kind}: mapping and filtering as named`, async () => {
      const host = lab.hosts[i]!;
      expect(host.kind).toBe(kind);
      const probe = await UdpPeer.start(host.ns, [HOST_PORT], { name: `probe-${kind}` });
      try {
        // What the internet sees of the host, per destination.
        const seen: { host: string; port: number }[] = [];
        for (const port of ECHO_PORTS) {
          const reply = await probe.waitFor(
            (d) => d.from === `${lab.internet.address}:${port}` && d.text.startsWith('seen '),
            5000,
            () => probe.send(HOST_PORT, lab.internet.address, port, 'hello'),
          );
          if (!reply) throw new Error(`${kind}: no echo from ${lab.internet.address}:${port} within 5000 ms`);
          seen.push(hostPort(reply.text.slice('seen '.length)));
        }
        expect(seen.map((s) => s.host)).toEqual([host.publicAddress, host.publicAddress]);
        const [first, second] = [seen[0]!, seen[1]!];
        if (kind === 'none') expect([first.port, second.port]).toEqual([HOST_PORT, HOST_PORT]);
        if (kind === 'port-restricted') expect(second.port).toBe(first.port);
        if (kind === 'symmetric') expect(second.port).not.toBe(first.port);

        // A reply from where the host sent to comes through…
        const solicited = await probe.waitFor(
          (d) => d.text === 'late reply',
          3000,
          () => internet.send(ECHO_PORTS[0]!, host.publicAddress, first.port, 'late reply'),
        );
        expect(solicited?.from).toBe(`${lab.internet.address}:${ECHO_PORTS[0]}`);
        // …one from a port it never sent to does not, unless there is no NAT at all.
        const unsolicited = await probe.waitFor(
          (d) => d.text === 'unsolicited',
          1500,
          () => internet.send(STRANGER_PORT, host.publicAddress, first.port, 'unsolicited'),
        );
        if (kind === 'none') expect(unsolicited?.from).toBe(`${lab.internet.address}:${STRANGER_PORT}`);
        else expect(unsolicited).toBeNull();
      } finally {
        await probe.stop();
      }
    });
  }

  it('close() removes its namespaces; a new lab removes those of a lab whose process is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = `${PREFIX}${gone}-000000-net`;
    await run('ip', ['netns', 'add', stale]);
    const other = await startLab(['symmetric']);
    let names = await listNamespaces();
    expect(names).not.toContain(stale);
    expect(names.filter((n) => n.startsWith(other.id)).sort()).toEqual([`${other.id}-h1`, `${other.id}-net`, `${other.id}-r1`]);
    // The running lab of this very process is no leftover.
    expect(names.filter((n) => n.startsWith(lab.id))).toHaveLength(2 * NAT_KINDS.length);
    await other.close();
    names = await listNamespaces();
    expect(names.filter((n) => n.startsWith(other.id))).toEqual([]);
  });
});
