import { ApiPromise, WsProvider } from '@polkadot/api';
import { compactAddLength, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGetRecord, encodeGetRecord } from '../../../lib/names/registry-codec';
import { ALICE, type SimulatedChain, startSimulatedChain } from '../../../testkit/sim-chain';
import { encodedSize } from '../../../testkit/sim-chain/registry-model';
import { BOB_ID } from '../../../testkit/names';

// The SIMULATED contract itself, through the real @polkadot/api: that it answers the way
// the deployed ink! 4 registry does (docs/names.md) (reverted errors, dry runs that store
// nothing, the records size limit), so resolver tests against it mean something.

let sim: SimulatedChain;
let api: ApiPromise;
const MALLORY = `0x${'66'.repeat(32)}`;

async function call(input: Uint8Array, origin = ALICE) {
  const res = await (api.call as any).contractsApi.call(origin, sim.registryAddress, 0, null, null, u8aToHex(input));
  expect(res.result.isOk).toBe(true);
  return { flags: res.result.asOk.flags.isRevert ? 1 : 0, data: u8aToHex(res.result.asOk.data.toU8a(true)) };
}

const str = (s: string) => compactAddLength(stringToU8a(s));
function updateRecords(name: string, records: Array<[string, string | null]>, removeRest: boolean): Uint8Array {
  // Bytes codecs, not bare arrays: polkadot.js reads a bare Uint8Array given for an Option as
  // an encoded Option (tag byte first).
  const bytes = (v: string) => api.registry.createType('Bytes', str(v));
  const vec = api.registry.createType(
    'Vec<(Bytes, Option<Bytes>)>',
    records.map(([k, v]) => [bytes(k), v === null ? null : bytes(v)]),
  );
  return u8aConcat(hexToU8a('0xde84a1ba'), str(name), vec.toU8a(), new Uint8Array([removeRest ? 1 : 0]));
}

beforeAll(async () => {
  sim = await startSimulatedChain({ names: { bob: { records: { 'copybara-id': BOB_ID } } }, recordsSizeLimit: 200 });
  const provider = new WsProvider(sim.url, false);
  await provider.connect();
  api = await ApiPromise.create({ provider, initWasm: false, noInitWarn: true, throwOnConnect: true });
}, 20_000);
afterAll(async () => {
  await api?.disconnect();
  await sim?.close();
});

describe('the simulated registry', () => {
  it('polkadot.js connects to it as to a contracts node', () => {
    expect(api.runtimeVersion.specName.toString()).toBe('substrate-contracts-node');
    expect(api.genesisHash.toHex()).toMatch(/^0x[0-9a-f]{64}$/);
    expect(typeof (api.call as any).contractsApi?.call).toBe('function');
  });

  it('answers get_record like ink! 4: a value, or RecordNotFound reverted (0x000108)', async () => {
    const found = await call(encodeGetRecord('bob', 'copybara-id'));
    expect(decodeGetRecord({ flags: found.flags, data: hexToU8a(found.data) })).toEqual({ kind: 'ok', value: BOB_ID });
    expect(await call(encodeGetRecord('bob', 'staex-id'))).toEqual({ flags: 1, data: '0x000108' });
    expect(await call(encodeGetRecord('nobody', 'copybara-id'))).toEqual({ flags: 1, data: '0x000108' });
  });

  it('answers get_owner / get_controller, NameDoesntExist (2) reverted for unknown names', async () => {
    const owner = u8aConcat(hexToU8a('0x07fcd0b1'), str('bob'));
    expect(await call(owner)).toEqual({ flags: 0, data: `0x0000${ALICE.slice(2)}` });
    expect(await call(u8aConcat(hexToU8a('0x0abf0e97'), str('nobody')))).toEqual({ flags: 1, data: '0x000102' });
  });

  it('answers an unknown selector or unreadable input with LangError, reverted', async () => {
    expect(await call(hexToU8a('0xdeadbeef'))).toEqual({ flags: 1, data: '0x0101' });
    expect(await call(u8aConcat(hexToU8a('0x07fcd0b1'), new Uint8Array([8, 0xff, 0xfe])))).toEqual({ flags: 1, data: '0x0101' });
  });

  it('reports its records size limit', async () => {
    // Ok(Some(200u32)): 00 | 01 | c8000000
    expect(await call(hexToU8a('0x8405efa0'))).toEqual({ flags: 0, data: '0x0001c8000000' });
  });

  it('update_records: owner only (CallerIsNotController = 5), size-limited (RecordsOverflow = 18), and a dry run stores nothing', async () => {
    expect(await call(updateRecords('bob', [['staex-id', BOB_ID]], false), MALLORY)).toEqual({ flags: 1, data: '0x000105' });
    expect(await call(updateRecords('bob', [['avatar', 'x'.repeat(300)]], false))).toEqual({ flags: 1, data: '0x000112' });
    expect(await call(updateRecords('bob', [['staex-id', BOB_ID]], false))).toEqual({ flags: 0, data: '0x0000' });
    expect(await call(encodeGetRecord('bob', 'staex-id'))).toEqual({ flags: 1, data: '0x000108' }); // not stored
    expect(await call(updateRecords('bob', [['copybara-id', null]], false))).toEqual({ flags: 0, data: '0x0000' });
  });

  it('committed record changes (setRecord) obey the same rules', () => {
    expect(() => sim.setRecord('bob', 'avatar', 'x'.repeat(300))).toThrow(/error 18/);
    sim.setRecord('bob', 'staex-id', BOB_ID);
    expect(sim.model.getAllRecords('bob').map(([k]) => k)).toEqual(['copybara-id', 'staex-id']);
    expect(encodedSize(sim.model.getAllRecords('bob'))).toBeLessThanOrEqual(200);
    sim.setRecord('bob', 'staex-id', null);
  });

  it('an expired name reads like an unknown one', async () => {
    sim.register('temp', { records: { 'copybara-id': BOB_ID } });
    sim.expire('temp');
    expect(await call(encodeGetRecord('temp', 'copybara-id'))).toEqual({ flags: 1, data: '0x000108' });
    expect(await call(u8aConcat(hexToU8a('0x528be9f1'), str('temp')))).toEqual({ flags: 0, data: '0x0000' });
  });
});
