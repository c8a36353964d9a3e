import { CopybaraError } from '../../../../lib/errors';
import { NODE_ID_PATTERN } from '../../../../lib/node-id';
import { object, string } from '../../../../lib/protocol/check';
import { type PublishEndpoints, decodePublishEndpoints } from '../../../../lib/protocol/native';
import { MAX_NAME } from '../../../../lib/protocol/signalling';

// What the node tells its page (native-host/node/publish/server.ts PublishConfig), checked before
// use: the page writes these records with the user's money, so nothing is taken on trust.

export interface PageConfig {
  nodeId: string;
  records: [string, string][];
  endpoints: PublishEndpoints;
  myName: string | null;
}

const MAX_RECORDS = 4;

export function decodePageConfig(value: unknown): PageConfig {
  const o = object(value, 'config');
  if (!Array.isArray(o.records) || o.records.length === 0 || o.records.length > MAX_RECORDS) {
    throw CopybaraError.BAD_MESSAGE(`field "records" must list 1 to ${MAX_RECORDS} records`);
  }
  const records = o.records.map((r, i): [string, string] => {
    if (
      !Array.isArray(r) ||
      r.length !== 2 ||
      typeof r[0] !== 'string' ||
      typeof r[1] !== 'string' ||
      r[0] === '' ||
      r[0].length > 64 ||
      r[1].length > 256
    ) {
      throw CopybaraError.BAD_MESSAGE(`records[${i}] must be a [key, value] pair of text`);
    }
    return [r[0], r[1]];
  });
  return {
    nodeId: string(o, 'nodeId', 52, NODE_ID_PATTERN),
    records,
    endpoints: decodePublishEndpoints(o.endpoints),
    myName: o.myName === null || o.myName === undefined ? null : string(o, 'myName', MAX_NAME),
  };
}

// Relative to the page, so it carries the secret the page was opened with.
export async function fetchPageConfig(): Promise<PageConfig> {
  const res = await fetch('./config.json', { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Error(`this page's address is no longer valid (HTTP ${res.status}); open it again from Copybara`);
  return decodePageConfig(await res.json());
}
