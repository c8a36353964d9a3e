import { describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../lib/node-id';
import { formatRelayKey, parseRelayKeys } from '../../../native-host/commands/relay';
import { cliOutput } from '../../../testkit/processes';

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
