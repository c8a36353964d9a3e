import DHT from 'hyperdht';
import createTestnet from 'hyperdht/testnet.js';
import { formatBootstrap } from '../common/bootstrap';
import type { Log } from '../common/log';
import { startRelay } from '../node/network/relay-server';
import { formatRelayKey } from './relay';

// HyperDHT bootstrap nodes on 127.0.0.1 for tests and the demo: a private DHT that never
// touches the public one. A blind relay joins it and announces itself, so nodes in private mode
// (the default) find a relay there as they would on the real network.
export async function runTestnet(size: number, out: NodeJS.WritableStream, log: Log): Promise<() => Promise<void>> {
  const testnet = await createTestnet(size, { host: '127.0.0.1' });
  const addresses = testnet.nodes.map((n) => ({ host: '127.0.0.1', port: n.address().port }));
  out.write(formatBootstrap(addresses) + '\n');
  const relay = await startRelay({ keyPair: DHT.keyPair(), bootstrap: addresses, log });
  out.write(`relay key: ${formatRelayKey(relay.publicKey)}\n`);
  return async () => {
    await relay.close();
    await testnet.destroy();
  };
}
