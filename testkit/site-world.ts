import DHT from 'hyperdht';
import { encodeNodeId } from '../lib/node-id';
import { type Proc, cliOutput, startNode, startTestnet, tempDir } from './processes';
import { type SimulatedChain, startSimulatedChain } from './sim-chain';
import { type SiteServer, startSiteServer } from './sites';

// What every browser's site visit test stands on: a loopback HyperDHT testnet, the SIMULATED
// contract chain (testkit/sim-chain), and Alice's node publishing her local web server. On the
// chain `alice` points at Alice's node and `ghost` at a node id nobody runs; nothing else is
// registered. The visitor (a Chromium or a Firefox person) is the test's own.

export interface SiteWorld {
  dir: { path: string; remove(): Promise<void> };
  bootstrap: string;
  chain: SimulatedChain;
  site: SiteServer;
  alice: { proc: Proc; nodeId: string; profile: string };
  // Stops everything above (the visitor first, by the test) and leaves the folder to the test.
  close(): Promise<void>;
}

export async function startSiteWorld(prefix: string, echo: boolean): Promise<SiteWorld> {
  const dir = await tempDir(prefix);
  const parts: { chain?: SimulatedChain; site?: SiteServer; testnet?: Proc; alice?: Proc } = {};
  const close = async () => {
    await parts.alice?.stop();
    await parts.testnet?.stop();
    await parts.site?.close();
    await parts.chain?.close();
  };
  try {
    const chain = (parts.chain = await startSimulatedChain());
    const site = (parts.site = await startSiteServer());
    const net = await startTestnet(echo);
    parts.testnet = net.proc;
    const profile = `${dir.path}/alice-node`;
    const alice = await startNode(profile, net.bootstrap, 'alice', echo);
    parts.alice = alice.proc;
    const published = await cliOutput(['publish', String(site.port), '--profile', profile]);
    const expected = `publishing http://127.0.0.1:${site.port} as this node's site`;
    if (!published.stdout.includes(expected)) throw new Error(`Alice could not publish her site: ${published.stdout} ${published.stderr}`);
    chain.register('alice', { records: { 'copybara-id': alice.nodeId } });
    chain.register('ghost', { records: { 'copybara-id': encodeNodeId(DHT.keyPair().publicKey) } });
    return { dir, bootstrap: net.bootstrap, chain, site, alice: { ...alice, profile }, close };
  } catch (err) {
    await close();
    await dir.remove();
    throw err;
  }
}
