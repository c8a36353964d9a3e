import { stopSide } from './call-flow';
import { type FirefoxSide, configureFirefoxNames, startFirefoxSide } from './firefox-call';
import { expectNoLeftovers } from './leftovers';
import { startTestnet, tempDir } from './processes';
import { type SimulatedChain, startSimulatedChain } from './sim-chain';

// Alice and Bob in Firefox ESR, each with a node, on a HyperDHT testnet with one blind relay
// on 127.0.0.1, and the SIMULATED contract chain (testkit/sim-chain) holding alice and bob.
// `names`: each side's settings already point at the chain and claim its name.

export interface FirefoxPair {
  alice: FirefoxSide;
  bob: FirefoxSide;
  chain: SimulatedChain;
  // Stops everything, then checks nothing was left behind.
  stop(): Promise<void>;
}

export async function startFirefoxPair(label: string, echo: boolean, o: { names: boolean }): Promise<FirefoxPair> {
  const dir = await tempDir(label);
  const chain = await startSimulatedChain();
  const net = await startTestnet(echo, { relays: 1 });
  const [alice, bob] = await Promise.all([
    startFirefoxSide(dir.path, 'alice', net.bootstrap, echo),
    startFirefoxSide(dir.path, 'bob', net.bootstrap, echo),
  ]);
  chain.register('alice', { records: { 'copybara-id': alice.nodeId } });
  chain.register('bob', { records: { 'copybara-id': bob.nodeId } });
  if (o.names) {
    await configureFirefoxNames(alice, chain.url, 'alice.azero');
    await configureFirefoxNames(bob, chain.url, 'bob.azero');
  }
  return {
    alice,
    bob,
    chain,
    async stop() {
      await Promise.all([stopSide(alice), stopSide(bob)]);
      await net.proc.stop();
      await chain.close();
      await expectNoLeftovers(dir.path);
      await dir.remove();
    },
  };
}
