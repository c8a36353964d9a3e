import DHT from 'hyperdht';
import { encodeNodeId } from '../lib/node-id';
import { expectNoLeftovers } from './leftovers';
import { type Proc, cliOutput, startNode, startTestnet, tempDir } from './processes';
import { type StaexStandin, startStaexStandin } from './network/staex';
import { type SimulatedChain, startSimulatedChain } from './sim-chain';
import { type SiteServer, startSiteServer } from './sites';

// What every browser's site visit test stands on: a loopback HyperDHT testnet, the SIMULATED
// contract chain (testkit/sim-chain), and Alice's node publishing her local web server. On the
// chain `alice` points at Alice's node and `ghost` at a node id nobody runs; nothing else is
// registered. The visitor (a Chromium or a Firefox person) is the test's own. With `staex`, the
// two nodes are on the Staex network of the mcc stand-in as well (each on a loopback address of
// its own), Alice's name has her `staex-id` too, and `visitorArgs` puts the visitor's node there.

export interface SiteWorld {
  dir: { path: string; remove(): Promise<void> };
  bootstrap: string;
  chain: SimulatedChain;
  site: SiteServer;
  alice: { proc: Proc; nodeId: string; profile: string };
  // Node arguments for the visitor's node (its Staex network, when there is one).
  visitorArgs: string[];
  // Stops everything above (the visitor first, by the test) and leaves the folder to the test.
  close(): Promise<void>;
  // close(), then checks nothing was left behind in the folder and removes it.
  end(): Promise<void>;
}

export async function startSiteWorld(prefix: string, echo: boolean, o: { staex?: boolean } = {}): Promise<SiteWorld> {
  const dir = await tempDir(prefix);
  const parts: { chain?: SimulatedChain; site?: SiteServer; testnet?: Proc; alice?: Proc; standin?: StaexStandin } = {};
  const close = async () => {
    await parts.alice?.stop();
    await parts.testnet?.stop();
    await parts.site?.close();
    await parts.chain?.close();
    await parts.standin?.destroy();
  };
  try {
    const chain = (parts.chain = await startSimulatedChain());
    const site = (parts.site = await startSiteServer());
    const net = await startTestnet(echo);
    parts.testnet = net.proc;
    let aliceArgs: string[] = [];
    let visitorArgs: string[] = [];
    const records: Record<string, string> = {};
    if (o.staex) {
      const standin = (parts.standin = await startStaexStandin());
      const [sa, sb] = [await standin.add(), await standin.add()];
      const staexArgs = (command: string[]) => ['--mcc', command.join(' '), '--staex-port', String(standin.port)];
      aliceArgs = staexArgs(sa.command);
      visitorArgs = staexArgs(sb.command);
      records['staex-id'] = sa.staexId;
    }
    const profile = `${dir.path}/alice-node`;
    const alice = await startNode(profile, net.bootstrap, 'alice', echo, { args: aliceArgs });
    parts.alice = alice.proc;
    const published = await cliOutput(['publish', String(site.port), '--profile', profile]);
    const expected = `publishing http://127.0.0.1:${site.port} as this node's site`;
    if (!published.stdout.includes(expected)) throw new Error(`Alice could not publish her site: ${published.stdout} ${published.stderr}`);
    chain.register('alice', { records: { 'copybara-id': alice.nodeId, ...records } });
    chain.register('ghost', { records: { 'copybara-id': encodeNodeId(DHT.keyPair().publicKey) } });
    const end = async () => {
      await close();
      await expectNoLeftovers(dir.path);
      await dir.remove();
    };
    return { dir, bootstrap: net.bootstrap, chain, site, alice: { ...alice, profile }, visitorArgs, close, end };
  } catch (err) {
    await close();
    await dir.remove();
    throw err;
  }
}
