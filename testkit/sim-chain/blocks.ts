import type { Codec } from '@polkadot/types/types';
import { compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { metadata, registry } from './runtime';

// SIMULATED chain head: the blocks this node has produced, their headers and the events
// each one stored. Block hashes are the real ones (blake2 of the SCALE-encoded header), because
// polkadot.js hashes the headers it is given and signs against that hash (mortal era), so any
// other hash would make every signature unverifiable. Blocks appear only when a transaction
// is included (instant seal, as substrate-contracts-node does); block 1 exists from the start
// so that a mortal era has a non-genesis parent to point at.

export interface HeaderJson {
  parentHash: string;
  number: string; // hex, as nodes send it
  stateRoot: string;
  extrinsicsRoot: string;
  digest: { logs: string[] };
}

export interface Block {
  number: number;
  hash: string;
  header: HeaderJson;
  extrinsics: string[]; // hex, each the extrinsic's full (length-prefixed) encoding
  events: string; // hex of Vec<EventRecord>, the value of System.Events at this block
}

// Where an event happened: ApplyExtrinsic(index) for everything this simulation emits.
export interface EventRecordSpec {
  extrinsic: number;
  event: Uint8Array; // RuntimeEvent encoding: pallet index ++ pallet event
}

const ZERO_HASH = `0x${'00'.repeat(32)}`;

function makeHeader(number: number, parentHash: string, extrinsics: string[], stateSeed: string): { header: HeaderJson; hash: string } {
  const header: HeaderJson = {
    parentHash,
    number: `0x${number.toString(16)}`,
    stateRoot: blake2AsHex(`state ${number} ${stateSeed}`),
    // Not a trie root: nothing in polkadot.js checks it, but it must change with the body.
    extrinsicsRoot: blake2AsHex(`extrinsics ${number} ${extrinsics.join(',')}`),
    digest: { logs: [] },
  };
  return { header, hash: registry.createType('Header', header).hash.toHex() };
}

export const EMPTY_EVENTS = '0x00';

export class SimBlocks {
  readonly blocks: Block[] = [];
  #finalized = 0;
  readonly #byHash = new Map<string, Block>();

  // genesisHash: the hash block 0 is known by. Real clients pin it (lib/names/chains.ts
  // GENESIS_HASH), so a simulated Aleph Zero must present the real one; its header is still
  // ours, but nothing re-hashes the genesis header.
  constructor(genesisHash?: string) {
    this.#push(0, ZERO_HASH, [], EMPTY_EVENTS, 'genesis', genesisHash);
    this.#push(1, this.blocks[0]!.hash, [], EMPTY_EVENTS, '');
    this.#finalized = 1;
  }

  get genesisHash(): string {
    return this.blocks[0]!.hash;
  }

  get best(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  get finalized(): Block {
    return this.blocks[this.#finalized]!;
  }

  byNumber(n: number): Block | undefined {
    return Number.isInteger(n) && n >= 0 ? this.blocks[n] : undefined;
  }

  byHash(hash: string): Block | undefined {
    return this.#byHash.get(hash.toLowerCase());
  }

  // A block reference as JSON-RPC params carry it: absent (best), a hash, or a number.
  at(ref: unknown): Block | undefined {
    if (ref === undefined || ref === null) return this.best;
    if (typeof ref === 'string' && ref.length === 66) return this.byHash(ref);
    const n = typeof ref === 'number' ? ref : typeof ref === 'string' ? Number(ref) : Number.NaN;
    return this.byNumber(n);
  }

  append(extrinsics: string[], events: EventRecordSpec[], stateSeed: string): Block {
    return this.#push(this.blocks.length, this.best.hash, extrinsics, encodeEvents(events), stateSeed);
  }

  finalize(block: Block): void {
    this.#finalized = Math.max(this.#finalized, block.number);
  }

  #push(number: number, parentHash: string, extrinsics: string[], events: string, stateSeed: string, hashAs?: string): Block {
    const made = makeHeader(number, parentHash, extrinsics, stateSeed);
    const header = made.header;
    const hash = hashAs?.toLowerCase() ?? made.hash;
    const block = { number, hash, header, extrinsics, events };
    this.blocks.push(block);
    this.#byHash.set(hash, block);
    return block;
  }
}

// Vec<EventRecord> by hand: phase ApplyExtrinsic(u32) ++ event ++ no topics.
function encodeEvents(records: EventRecordSpec[]): string {
  const parts = records.map(({ extrinsic, event }) => {
    const phase = new Uint8Array(5);
    new DataView(phase.buffer).setUint32(1, extrinsic, true);
    return u8aConcat(phase, event, compactToU8a(0));
  });
  return u8aToHex(u8aConcat(compactToU8a(records.length), ...parts));
}

// One pallet event, encoded from the metadata's own type for that pallet's events, so the
// bytes are what the real runtime would store and polkadot.js decodes them by name.
export function palletEvent(pallet: string, variant: string, fields: Record<string, unknown>): Uint8Array {
  const p = metadata.asLatest.pallets.find((x) => x.name.toString() === pallet);
  if (!p || p.events.isNone) throw new Error(`the metadata has no ${pallet} events`);
  const type = registry.createLookupType(p.events.unwrap().type);
  const value = registry.createType<Codec>(type, { [variant]: fields });
  return u8aConcat(new Uint8Array([p.index.toNumber()]), value.toU8a());
}
