import { describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import { MccError, parseIpv4, parseMccId, parseMccResolve } from '../../../../native-host/node/network/mcc-output';

const ID = encodeNodeId(new Uint8Array(32).fill(7));

function failure(run: () => unknown): MccError {
  try {
    run();
  } catch (err) {
    if (err instanceof MccError) return err;
    throw err;
  }
  throw new Error('expected an MccError, nothing was thrown');
}

describe('parseMccId', () => {
  it('reads the one id mcc prints, with its newline or CRLF', () => {
    expect(parseMccId(`${ID}\n`)).toBe(ID);
    expect(parseMccId(`  ${ID}\r\n\n`)).toBe(ID);
  });

  it.each([
    ['empty output', '', /printed nothing/],
    ['blank lines only', '\n \r\n', /printed nothing/],
    ['two lines', `${ID}\n${ID}\n`, /printed 2 lines/],
    ['garbage', 'Error: daemon not ready\n', /"Error: daemon not ready", which is not a Staex node id/],
    ['an id one character short', ID.slice(1), /not a Staex node id/],
    ['an upper-case id', ID.toUpperCase(), /not a Staex node id/],
    ['an address', '10.0.0.1', /not a Staex node id/],
  ])('refuses %s in words', (_what, output, words) => {
    const err = failure(() => parseMccId(output));
    expect(err.kind).toBe('failed');
    expect(err.message).toMatch(words);
    expect(err.fix).toMatch(/COPYBARA_MCC/);
  });

  it('quotes at most 80 characters of a long line', () => {
    const err = failure(() => parseMccId('x'.repeat(10_000)));
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('parseMccResolve', () => {
  it('reads one IPv4 address', () => {
    expect(parseMccResolve('10.21.3.4\n', ID)).toBe('10.21.3.4');
    expect(parseMccResolve('127.80.0.2', ID)).toBe('127.80.0.2');
    expect(parseMccResolve('\r\n 172.16.0.1 \r\n', ID)).toBe('172.16.0.1');
  });

  it.each([
    ['empty output', '', /printed nothing/],
    ['several addresses', '10.0.0.1\n10.0.0.2\n', /printed 2 lines; Copybara takes one address and never picks among several/],
    ['an address then a warning', '10.0.0.1\nwarning: stale\n', /printed 2 lines/],
    ['IPv6', 'fd00::1', /IPv6 address or host:port; Copybara needs the node-local IPv4 address/],
    ['IPv4-mapped IPv6', '::ffff:10.0.0.1', /IPv6/],
    ['host:port', '10.0.0.1:4741', /IPv6 address or host:port/],
    ['garbage', 'node not found', /"node not found", which is not an IPv4 address/],
    ['a part over 255', '10.0.0.256', /not an IPv4 address/],
    ['leading zeros', '10.0.0.01', /not an IPv4 address/],
    ['three parts', '10.0.1', /not an IPv4 address/],
    ['a sign', '10.0.0.+1', /not an IPv4 address/],
    ['a host name', 'node.staex', /not an IPv4 address/],
    ['the unspecified address', '0.0.0.0', /unspecified address/],
    ['a multicast address', '224.0.0.1', /multicast/],
    ['the broadcast address', '255.255.255.255', /broadcast/],
    ['a reserved address', '240.0.0.1', /reserved/],
  ])('refuses %s in words', (_what, output, words) => {
    const err = failure(() => parseMccResolve(output, ID));
    expect(err.kind).toBe('failed');
    expect(err.message).toMatch(/^`mcc resolve [0-9a-z]{8}…` /);
    expect(err.message).toMatch(words);
  });
});

describe('parseIpv4', () => {
  it('reads dotted quads strictly', () => {
    expect(parseIpv4('1.2.3.4')).toEqual([1, 2, 3, 4]);
    expect(parseIpv4('255.0.0.0')).toEqual([255, 0, 0, 0]);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '1..3.4', '01.2.3.4', '1.2.3.4 ', '1.2.3.1000', '0x1.2.3.4', '١.2.3.4'])
      expect(parseIpv4(bad)).toBeNull();
  });
});
