import createTestnet from 'hyperdht/testnet.js';
import { formatBootstrap } from '../common/bootstrap';

// HyperDHT bootstrap nodes for tests and the demo: a private DHT that never touches the public
// one. On 127.0.0.1 unless `host` says otherwise (the network-namespace tests put them on
// their lab's "internet" address); any other host binds all addresses, as HyperDHT's
// testnet does.
export async function runTestnet(size: number, out: NodeJS.WritableStream, host = '127.0.0.1'): Promise<() => Promise<void>> {
  const testnet = await createTestnet(size, { host });
  const addresses = testnet.nodes.map((n) => ({ host, port: n.address().port }));
  out.write(formatBootstrap(addresses) + '\n');
  return () => testnet.destroy();
}
