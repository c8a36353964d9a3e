import { describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../../../lib/node-id';
import { decodePageConfig } from '../../../../../native-host/node/publish/page/config';

// The page checks what its server sends before writing any of it with the user's money.

const NODE_ID = encodeNodeId(new Uint8Array(32).fill(3));
const GOOD = {
  nodeId: NODE_ID,
  records: [['copybara-id', NODE_ID]],
  endpoints: { azero: ['wss://ws.azero.dev'], tzero: [] },
  myName: 'bob.azero',
};

describe('publishing page config', () => {
  it('decodes what the server sends', () => {
    expect(decodePageConfig(GOOD)).toEqual(GOOD);
    expect(decodePageConfig({ ...GOOD, myName: null }).myName).toBeNull();
  });

  it('refuses anything else', () => {
    expect(() => decodePageConfig({ ...GOOD, nodeId: 'x' })).toThrow(/"nodeId" is malformed/);
    expect(() => decodePageConfig({ ...GOOD, records: [] })).toThrow(/"records" must list 1 to 4/);
    expect(() => decodePageConfig({ ...GOOD, records: [['copybara-id']] })).toThrow(/records\[0\]/);
    expect(() => decodePageConfig({ ...GOOD, records: [['', NODE_ID]] })).toThrow(/records\[0\]/);
    expect(() => decodePageConfig({ ...GOOD, endpoints: { azero: ['https://x'], tzero: [] } })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => decodePageConfig([])).toThrow(/config is not an object/);
  });
});
