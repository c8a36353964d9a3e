import DHT, { type NoiseSecretStream } from 'hyperdht';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';

// A private HyperDHT on 127.0.0.1 inside the test process, and raw clients on it: a peer
// that speaks to a node's key with whatever bytes a test wants, not through Copybara's code.
export interface LocalDht {
  testnet: Testnet;
  // Connects a fresh client node to `key`; resolves once the secret stream is open.
  connect(key: Buffer): Promise<NoiseSecretStream>;
  destroy(): Promise<void>;
}

export async function startLocalDht(): Promise<LocalDht> {
  const testnet = await createTestnet(3, { host: '127.0.0.1' });
  const clients: DHT[] = [];
  return {
    testnet,
    async connect(key) {
      // Not firewalled on loopback, as HyperdhtBackend does there (see its comment).
      const client = new DHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1', firewalled: false });
      clients.push(client);
      const stream = client.connect(key);
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
      return stream;
    },
    async destroy() {
      await Promise.all(clients.map((c) => c.destroy({ force: true })));
      await testnet.destroy();
    },
  };
}
