import { Buffer } from 'node:buffer';

// SIMULATED contract: a stateful model of the AZERO.ID registry (azns_registry, ink! 4) as
// far as name resolution sees it. It follows the contract's code, not our resolver:
//  * a name exists while now < expiry; an expired name answers exactly like an unknown one
//    (get_owner -> NameDoesntExist, get_all_records -> [], get_record -> RecordNotFound);
//  * records are a sorted map (the contract rebuilds them through a BTreeMap);
//  * update_records is allowed to the owner or controller (else CallerIsNotController) and
//    fails with RecordsOverflow when the SCALE-encoded records exceed the size limit; a dry
//    run computes, and only an included transaction (commitRecords) stores;
//  * get_owned/controlled_names_of_address list live names in registration order.

// Registry Error variant indices (azns_registry::Error).
export const ERR = {
  NameDoesntExist: 2,
  CallerIsNotController: 5,
  RecordNotFound: 8,
  RecordsOverflow: 18,
} as const;

export type Outcome<T> = { ok: T } | { err: number };

export interface NameState {
  owner: string; // 0x-hex account id (32 bytes)
  controller: string;
  expiresAt: number; // ms since epoch, as the contract's block timestamp
  records: Array<[string, string]>;
}

export interface NameSpec {
  owner?: string;
  controller?: string;
  expiresAt?: number;
  records?: Record<string, string>;
}

export const ALICE = `0x${'d4'.repeat(32)}`;
const YEAR = 365 * 24 * 60 * 60 * 1000;

export class RegistryModel {
  readonly names = new Map<string, NameState>();

  constructor(
    readonly tld: string,
    private readonly now: () => number,
    public recordsSizeLimit: number | null = null,
  ) {}

  register(label: string, spec: NameSpec = {}): void {
    const owner = spec.owner ?? ALICE;
    this.names.set(label, {
      owner,
      controller: spec.controller ?? owner,
      expiresAt: spec.expiresAt ?? this.now() + YEAR,
      records: sortRecords(Object.entries(spec.records ?? {})),
    });
  }

  // A committed update_records by the owner (what a wallet transaction would do).
  setRecord(label: string, key: string, value: string | null): Outcome<null> {
    const s = this.names.get(label);
    if (!s) throw new Error(`simulated registry: ${label} is not registered`);
    const out = this.updateRecords(s.owner, label, [[key, value]], false);
    if ('ok' in out) this.commitRecords(label, out.ok);
    return 'ok' in out ? { ok: null } : out;
  }

  // Stores records an updateRecords dry run computed: what an included transaction does.
  commitRecords(label: string, records: Array<[string, string]>): void {
    const s = this.names.get(label);
    if (!s) throw new Error(`simulated registry: ${label} is not registered`);
    s.records = sortRecords(records);
  }

  // Names an account owns / controls, in registration order; expired names are left out.
  ownedNamesOf(account: string): string[] {
    return this.#liveNames()
      .filter(([, s]) => s.owner === account)
      .map(([label]) => label);
  }

  controlledNamesOf(account: string): string[] {
    return this.#liveNames()
      .filter(([, s]) => s.controller === account)
      .map(([label]) => label);
  }

  #liveNames(): Array<[string, NameState]> {
    return [...this.names].filter(([label]) => this.#live(label));
  }

  expire(label: string): void {
    const s = this.names.get(label);
    if (!s) throw new Error(`simulated registry: ${label} is not registered`);
    s.expiresAt = this.now() - 1;
  }

  release(label: string): void {
    this.names.delete(label);
  }

  #live(label: string): NameState | null {
    const s = this.names.get(label);
    return s && this.now() < s.expiresAt ? s : null;
  }

  getOwner(label: string): Outcome<string> {
    const s = this.#live(label);
    return s ? { ok: s.owner } : { err: ERR.NameDoesntExist };
  }

  getController(label: string): Outcome<string> {
    const s = this.#live(label);
    return s ? { ok: s.controller } : { err: ERR.NameDoesntExist };
  }

  getAllRecords(label: string): Array<[string, string]> {
    return this.#live(label)?.records.map(([k, v]) => [k, v] as [string, string]) ?? [];
  }

  getRecord(label: string, key: string): Outcome<string> {
    const hit = this.getAllRecords(label).find(([k]) => k === key);
    return hit ? { ok: hit[1] } : { err: ERR.RecordNotFound };
  }

  // The message as a dry run: computes the outcome and the new records, stores nothing.
  updateRecords(
    caller: string,
    label: string,
    changes: Array<[string, string | null]>,
    removeRest: boolean,
  ): Outcome<Array<[string, string]>> {
    const s = this.#live(label);
    if (!s) return { err: ERR.NameDoesntExist };
    if (caller !== s.owner && caller !== s.controller) return { err: ERR.CallerIsNotController };
    const data = new Map<string, string>(removeRest ? [] : s.records);
    for (const [k, v] of changes) {
      if (v === null) data.delete(k);
      else data.set(k, v);
    }
    const records = sortRecords([...data]);
    if (this.recordsSizeLimit !== null && encodedSize(records) > this.recordsSizeLimit) return { err: ERR.RecordsOverflow };
    return { ok: records };
  }
}

// BTreeMap<String, _> order: byte-wise on UTF-8, which is not JS's UTF-16 order.
function sortRecords(records: Array<[string, string]>): Array<[string, string]> {
  return [...records].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

// Length of the SCALE encoding of Vec<(String, String)>, as Mapping::size reports it.
export function encodedSize(records: Array<[string, string]>): number {
  let n = compactLen(records.length);
  for (const [k, v] of records) {
    for (const t of [k, v]) {
      const len = Buffer.byteLength(t);
      n += compactLen(len) + len;
    }
  }
  return n;
}

function compactLen(v: number): number {
  return v < 1 << 6 ? 1 : v < 1 << 14 ? 2 : v < 2 ** 30 ? 4 : 5;
}
