import { MemoryResolutionCache } from '../../lib/names/memory-cache';
import { NameResolver } from '../../lib/names/resolver';
import { startSimulatedChain } from '../../testkit/sim-chain';
import { median, round } from './stats';

// Name resolution against the SIMULATED contract chain on 127.0.0.1: with a warm API and a
// cold cache (every lookup goes to the chain), and with a warm cache (none does).

const NODE_ID = '0'.repeat(51) + 'g';
const TARGETS = { warmApiColdCacheMedianMs: 50, warmCacheMedianMs: 1 };

export async function benchNames(rounds = 50): Promise<object> {
  const chain = await startSimulatedChain({ names: { bob: { records: { 'copybara-id': NODE_ID } } } });
  const cold = new NameResolver({ endpoints: { azero: [chain.url], tzero: [chain.url] }, cache: new MemoryResolutionCache(), ttlMs: 0 });
  const warm = new NameResolver({ endpoints: { azero: [chain.url], tzero: [chain.url] }, cache: new MemoryResolutionCache() });
  try {
    const first = performance.now();
    await cold.resolve('bob.azero');
    const firstMs = performance.now() - first;
    const coldTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const r = await cold.resolve('bob.azero');
      coldTimes.push(performance.now() - t);
      if (r.records.nodeId !== NODE_ID) throw new Error('the simulated chain answered the wrong node id');
    }
    await warm.resolve('bob.azero');
    const warmTimes: number[] = [];
    for (let i = 0; i < rounds * 20; i++) {
      const t = performance.now();
      await warm.resolve('bob.azero');
      warmTimes.push(performance.now() - t);
    }
    const coldMedian = median(coldTimes);
    const warmMedian = median(warmTimes);
    return {
      endpoint: 'simulated contract chain on 127.0.0.1 (not Aleph Zero)',
      firstLookupMs: round(firstMs, 1),
      warmApiColdCacheMs: { median: round(coldMedian, 3), max: round(Math.max(...coldTimes), 3), n: coldTimes.length },
      warmCacheMs: { median: round(warmMedian, 4), max: round(Math.max(...warmTimes), 3), n: warmTimes.length },
      targets: TARGETS,
      meetsTarget: { warmApiColdCache: coldMedian < TARGETS.warmApiColdCacheMedianMs, warmCache: warmMedian < TARGETS.warmCacheMedianMs },
    };
  } finally {
    await Promise.all([cold.close(), warm.close()]);
    await chain.close();
  }
}
