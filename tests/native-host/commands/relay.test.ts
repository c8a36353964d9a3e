import { describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../lib/node-id';
import { formatRelayKey, parseRate, parseRelayKeys, relayRateWarning, relayRates } from '../../../native-host/commands/relay';
import { RELAY_PAIR_RATE_FLOOR } from '../../../native-host/node/network/relay-rates';
import { cli, cliOutput, tempDir, waitForLine } from '../../../testkit/processes';

describe('relay keys on the command line', () => {
  const key = Buffer.alloc(32, 7);

  it('reads keys as `relay` prints them, or as hex, comma-separated', () => {
    expect(formatRelayKey(key)).toBe(encodeNodeId(key));
    expect(parseRelayKeys(`${formatRelayKey(key)}, ${Buffer.alloc(32, 9).toString('hex')}`)).toEqual([key, Buffer.alloc(32, 9)]);
  });

  it('refuses anything that is not a key', () => {
    expect(() => parseRelayKeys('find')).toThrow('"find" is not a relay key');
    expect(() => parseRelayKeys('nope')).toThrow('"nope" is not a relay key');
    expect(() => parseRelayKeys(`${formatRelayKey(key)},`)).toThrow('is not a relay key');
    expect(() => parseRelayKeys('ab'.repeat(31))).toThrow();
  });
});

describe('the CLI refuses unusable relay options before starting anything', () => {
  it('node --relay with a bad key, relay --max-pairs out of range: exit 2 with the reason', async () => {
    // A bootstrap on loopback, so that nothing could reach the public DHT even if a check failed.
    const env = { COPYBARA_BOOTSTRAP: '127.0.0.1:1' };
    const bad = await cliOutput(['node', '--relay', 'nope', '--profile', '/nonexistent/cb-relay-test'], 20_000, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--relay: "nope" is not a relay key');
    const both = await cliOutput(
      ['node', '--direct', '--relay', formatRelayKey(Buffer.alloc(32, 7)), '--profile', '/nonexistent/cb-relay-test'],
      20_000,
      env,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--direct and --relay exclude each other');
    const zero = await cliOutput(['relay', '--max-pairs', '0', '--profile', '/nonexistent/cb-relay-test'], 20_000, env);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--max-pairs is a whole number from 1 to 10000');
  });
});

describe('relay rates on the command line', () => {
  const defaults = { maxPairRate: 2_000_000, maxTotalRate: 50_000_000 };

  it('reads bytes per second, with decimal units and an optional /s', () => {
    expect(parseRate('2000000')).toBe(2_000_000);
    expect(parseRate('2MB')).toBe(2_000_000);
    expect(parseRate('2mb/s')).toBe(2_000_000);
    expect(parseRate('1.5M')).toBe(1_500_000);
    expect(parseRate('500kB')).toBe(500_000);
    expect(parseRate(' 1 GB/s ')).toBe(1_000_000_000);
  });

  it('refuses what is not a rate, or is out of range, saying why', () => {
    expect(parseRate('fast')).toEqual(new Error('"fast" is not a rate: give bytes per second, like 2MB or 500kB'));
    expect(parseRate('2MiB')).toBeInstanceOf(Error);
    expect(parseRate('-1MB')).toBeInstanceOf(Error);
    expect(parseRate('')).toBeInstanceOf(Error);
    expect(parseRate('1kB')).toEqual(new Error('1kB is out of range: give 16kB to 10GB per second'));
    expect(parseRate('20GB')).toBeInstanceOf(Error);
  });

  it('takes the defaults for flags not given, and refuses a pair allowed more than the relay', () => {
    expect(relayRates(undefined, undefined, defaults)).toEqual(defaults);
    expect(relayRates('1MB', undefined, defaults)).toEqual({ maxPairRate: 1_000_000, maxTotalRate: 50_000_000 });
    expect(() => relayRates('nope', undefined, defaults)).toThrow('--max-pair-rate: "nope" is not a rate');
    expect(() => relayRates(undefined, '1kB', defaults)).toThrow('--max-total-rate: 1kB is out of range');
    expect(() => relayRates('5MB', '4MB', defaults)).toThrow(
      '--max-total-rate (4000000 bytes/s) is less than --max-pair-rate (5000000 bytes/s)',
    );
  });

  it('the CLI exits 2 with the reason before starting the relay', async () => {
    const env = { COPYBARA_BOOTSTRAP: '127.0.0.1:1' };
    const bad = await cliOutput(['relay', '--max-pair-rate', 'lots', '--profile', '/nonexistent/cb-relay-test'], 20_000, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-pair-rate: "lots" is not a rate');
    const inverted = await cliOutput(
      ['relay', '--max-pair-rate', '5MB', '--max-total-rate', '1MB', '--profile', '/nonexistent/cb-relay-test'],
      20_000,
      env,
    );
    expect(inverted.code).toBe(2);
    expect(inverted.stderr).toContain('is less than --max-pair-rate');
  });

  it('warns an operator whose per-pair rate is under the floor nodes count on, and starts anyway', async () => {
    expect(relayRateWarning(RELAY_PAIR_RATE_FLOOR)).toBeNull();
    expect(relayRateWarning(RELAY_PAIR_RATE_FLOOR - 1)).toContain('below the 2 MB/s each way that nodes count on');
    const dir = await tempDir('relay-warning');
    const relay = cli(['relay', '--max-pair-rate', '1MB', '--profile', dir.path], { env: { COPYBARA_BOOTSTRAP: '127.0.0.1:1' } });
    try {
      const line = await waitForLine(relay, /^warning: --max-pair-rate/, 20_000, 'relay warning');
      expect(line).toContain('--max-pair-rate 1000000 bytes/s is below the 2 MB/s each way');
      expect(line).toContain('Give at least 2MB');
      await waitForLine(relay, /^relay key: /, 20_000, 'relay start');
    } finally {
      await relay.stop();
      await dir.remove();
    }
  });
});
