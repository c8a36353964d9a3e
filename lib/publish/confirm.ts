import type { ApiPromise } from '@polkadot/api';
import { decodeGetRecord, encodeGetRecord } from '../names/registry-codec';
import { shown } from '../names/errors';
import { type RegistryRef, readContract } from './chain';
import { notRegistry, parseInRegistry } from './domains';
import { PublishError } from './errors';
import type { PublishPlan } from './plan';

// After inclusion, the records are read back the way a resolver will read them: that the
// transaction succeeded only says the registry accepted it, not that the name now holds
// what we meant (another write may have raced ours).

// The value under `key`, or null when the name has no such record.
export async function readBack(api: ApiPromise, registry: RegistryRef, name: string, key: string): Promise<string | null> {
  const parsed = parseInRegistry(name, registry);
  const out = await readContract(api, registry.address, encodeGetRecord(parsed.label, key), decodeGetRecord);
  if (out.kind === 'ok') return out.value;
  if (out.kind === 'lang') throw notRegistry(registry, out.error);
  if (out.error === 'RecordNotFound') return null;
  if (out.error === 'NameDoesntExist') throw PublishError.notFound(parsed.full);
  throw PublishError.chain(`the registry refused to read the ${key} record of ${parsed.full} (${out.error})`);
}

export interface ConfirmOptions {
  // A node may answer from a block before ours for a moment; ask again before calling it a
  // mismatch.
  attempts?: number;
  intervalMs?: number;
}

export async function confirmPublished(api: ApiPromise, plan: PublishPlan, opts: ConfirmOptions = {}): Promise<void> {
  const attempts = Math.max(1, opts.attempts ?? 4);
  const intervalMs = opts.intervalMs ?? 2_000;
  let wrong: Array<{ key: string; value: string | null; wanted: string }> = [];
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
    const values = await Promise.all(plan.changes.map((c) => readBack(api, plan.registry, plan.name, c.key)));
    wrong = plan.changes.flatMap((c, j) => (values[j] === c.next ? [] : [{ key: c.key, value: values[j] ?? null, wanted: c.next }]));
    if (wrong.length === 0) return;
  }
  const first = wrong[0]!;
  const now = first.value === null ? 'no such record' : `"${shown(first.value)}"`;
  throw new PublishError(
    'MISMATCH',
    `The transaction went through, but ${plan.name} now holds ${now} as ${first.key} instead of "${shown(first.wanted)}". Someone may have changed the records at the same time; check the name and publish again.`,
  );
}
