import createTestnet from 'hyperdht/testnet.js';
import { formatBootstrap } from '../common/bootstrap';

// HyperDHT bootstrap nodes on 127.0.0.1 for tests and the demo: a private DHT that never
// touches the public one.
export async function runTestnet(size: number, out: NodeJS.WritableStream): Promise<() => Promise<void>> {
  const testnet = await createTestnet(size, { host: '127.0.0.1' });
  const addresses = testnet.nodes.map((n) => ({ host: '127.0.0.1', port: n.address().port }));
  out.write(formatBootstrap(addresses) + '\n');
  return () => testnet.destroy();
}
