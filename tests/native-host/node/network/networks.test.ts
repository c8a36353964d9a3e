import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Backend, PeerAddress, PeerLink, ServiceConnection } from '../../../../native-host/node/network/backend';
import { Mcc } from '../../../../native-host/node/network/mcc';
import { Networks, chooseNetwork } from '../../../../native-host/node/network/networks';
import { StaexBackend } from '../../../../native-host/node/network/staex';
import { startStaexStandin } from '../../../../testkit/network/staex';
import DHT from 'hyperdht';

const STAEX_ID = 'y'.repeat(51) + 'g';

describe('chooseNetwork', () => {
  it('takes Staex only with a Staex id, Staex up, and Staex preferred (by the call, else the node)', () => {
    expect(chooseNetwork({ staexId: STAEX_ID, network: 'staex' }, 'hyperdht', true)).toBe('staex');
    expect(chooseNetwork({ staexId: STAEX_ID }, 'staex', true)).toBe('staex');
    expect(chooseNetwork({ staexId: STAEX_ID, network: null }, 'staex', true)).toBe('staex');
  });

  it.each<[string, PeerAddress | undefined, 'hyperdht' | 'staex', boolean]>([
    ['no Staex id', { network: 'staex' }, 'staex', true],
    ['an empty Staex id', { staexId: '', network: 'staex' }, 'staex', true],
    ['nothing known but the key', undefined, 'staex', true],
    ['Staex down', { staexId: STAEX_ID, network: 'staex' }, 'staex', false],
    ['HyperDHT preferred for the call', { staexId: STAEX_ID, network: 'hyperdht' }, 'staex', true],
    ['HyperDHT preferred by the node', { staexId: STAEX_ID }, 'hyperdht', true],
  ])('takes HyperDHT with %s', (_what, peer, prefer, up) => {
    expect(chooseNetwork(peer, prefer, up)).toBe('hyperdht');
  });
});

// A HyperDHT stand-in that only records what it is asked: these tests are about which
// backend Networks hands a call to, not about HyperDHT.
class RecordingBackend implements Backend {
  readonly name = 'hyperdht';
  readonly port = 1;
  connects: (PeerAddress | undefined)[] = [];
  services: (PeerAddress | undefined)[] = [];
  lost: PeerLink[] = [];
  async listen(): Promise<void> {}
  async connect(_key: Buffer, _signal: AbortSignal, peer?: PeerAddress): Promise<PeerLink> {
    this.connects.push(peer);
    throw new Error('recorded');
  }
  async openService(_key: Buffer, _service: 'site', _signal: AbortSignal, peer?: PeerAddress): Promise<ServiceConnection> {
    this.services.push(peer);
    throw new Error('recorded');
  }
  linkLost(link: PeerLink): void {
    this.lost.push(link);
  }
  async close(): Promise<void> {}
}

describe('Networks', () => {
  it('runs on HyperDHT when mcc is missing, says why, tries again, and tells when it changed', async () => {
    const hyperdht = new RecordingBackend();
    let changes = 0;
    const staex = new StaexBackend({
      keyPair: DHT.keyPair(),
      mcc: new Mcc({ command: ['/nonexistent/mcc'] }),
      port: 47_999,
      log: () => {},
    });
    const networks = new Networks({ hyperdht, staex, prefer: 'staex', log: () => {}, staexRetryMs: 50, onChange: () => changes++ });
    await networks.listen(() => {});
    expect(networks.list('x'.repeat(52))[1]).toMatchObject({ name: 'staex', available: false, reason: 'starting' });
    for (let i = 0; i < 100 && changes === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(changes).toBe(1);
    const [dht, down] = networks.list('x'.repeat(52));
    expect(dht).toMatchObject({ name: 'hyperdht', available: true, id: 'x'.repeat(52) });
    expect(down).toMatchObject({ name: 'staex', available: false, reason: 'not-installed', id: null });
    expect(down?.fix).toMatch(/Install mcc-public/);
    // Preferred and with a Staex id, the call still goes out, over HyperDHT.
    await expect(networks.connect(Buffer.alloc(32), AbortSignal.timeout(1000), { staexId: STAEX_ID, network: 'staex' })).rejects.toThrow(
      'recorded',
    );
    expect(hyperdht.connects).toEqual([{ staexId: STAEX_ID, network: 'staex' }]);
    // A site connection the same.
    await expect(networks.openService(Buffer.alloc(32), 'site', AbortSignal.timeout(1000), { staexId: STAEX_ID })).rejects.toThrow(
      'recorded',
    );
    expect(hyperdht.services).toEqual([{ staexId: STAEX_ID }]);
    // Tried again quietly: one log line and one change for the whole outage.
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toBe(1);
    await networks.close();
  });

  it('hands a Staex call to Staex once it is up, and keeps HyperDHT’s link bookkeeping off Staex links', async () => {
    const standin = await startStaexStandin();
    try {
      const node = await standin.add();
      const hyperdht = new RecordingBackend();
      const staex = new StaexBackend({
        keyPair: DHT.keyPair(),
        mcc: new Mcc({ command: node.command, timeoutMs: 30_000 }),
        port: standin.port,
        log: () => {},
      });
      let changes = 0;
      const networks = new Networks({ hyperdht, staex, prefer: 'hyperdht', log: () => {}, onChange: () => changes++ });
      await networks.listen(() => {});
      for (let i = 0; i < 500 && changes === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(networks.list('x'.repeat(52))[1]).toMatchObject({ available: true, id: node.staexId, address: node.address });
      // Staex is asked: the callee's Staex id is unknown to the stand-in, so it fails as offline.
      await expect(networks.connect(Buffer.alloc(32), AbortSignal.timeout(5000), { staexId: STAEX_ID, network: 'staex' })).rejects.toThrow(
        /not found/,
      );
      expect(hyperdht.connects).toEqual([]);
      // A site connection follows the same rule: Staex for a Staex id when preferred, else HyperDHT.
      await expect(
        networks.openService(Buffer.alloc(32), 'site', AbortSignal.timeout(5000), { staexId: STAEX_ID, network: 'staex' }),
      ).rejects.toThrow(/not found/);
      await expect(networks.openService(Buffer.alloc(32), 'site', AbortSignal.timeout(5000), { staexId: STAEX_ID })).rejects.toThrow(
        'recorded',
      );
      expect(hyperdht.services).toEqual([{ staexId: STAEX_ID }]);
      const link = Object.assign(new EventEmitter(), { route: { relay: null, network: 'staex' as const } }) as unknown as PeerLink;
      networks.linkLost(link);
      expect(hyperdht.lost).toEqual([]);
      const dhtLink = Object.assign(new EventEmitter(), { route: { relay: null } }) as unknown as PeerLink;
      networks.linkLost(dhtLink);
      expect(hyperdht.lost).toEqual([dhtLink]);
      await networks.close();
    } finally {
      await standin.destroy();
    }
  });

  it('says Staex is turned off when the node was started without it', () => {
    const networks = new Networks({ hyperdht: new RecordingBackend(), staex: null, prefer: 'hyperdht', log: () => {} });
    expect(networks.list('x'.repeat(52))[1]).toMatchObject({ available: false, reason: 'disabled' });
  });
});
