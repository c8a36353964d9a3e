import DHT from 'hyperdht';
import createTestnet from 'hyperdht/testnet.js';
import { formatBootstrap } from '../common/bootstrap';
import type { Log } from '../common/log';
import { type RunningRelay, startRelay } from '../node/network/relay-server';
import { formatRelayKey } from './relay';

// HyperDHT bootstrap nodes for tests and the demo: a private DHT that never touches the public
// one. On 127.0.0.1 unless `host` says otherwise (the network-namespace tests put them on
// their lab's "internet" address; any other host binds all addresses, as HyperDHT's testnet
// does). Blind relays join it and announce themselves (one by default), so nodes in private
// mode (the default) find a relay there as they would on the real network.
export async function runTestnet(o: {
  size: number;
  host: string;
  relays: number;
  out: NodeJS.WritableStream;
  log: Log;
}): Promise<() => Promise<void>> {
  const testnet = await createTestnet(o.size, { host: o.host });
  const addresses = testnet.nodes.map((n) => ({ host: o.host, port: n.address().port }));
  o.out.write(formatBootstrap(addresses) + '\n');
  const relays: RunningRelay[] = [];
  const close = async () => {
    for (const r of relays) await r.close();
    await testnet.destroy();
  };
  try {
    for (let i = 0; i < o.relays; i++) {
      const relay = await startRelay({ keyPair: DHT.keyPair(), bootstrap: addresses, log: o.log });
      relays.push(relay);
      o.out.write(`relay key: ${formatRelayKey(relay.publicKey)}\n`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return close;
}
