import type { AddressInfo } from 'node:net';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Block, SimBlocks } from './blocks';
import { type ContractsSetup, decodeCallArgs, type Execution, execResultHex, execute } from './contract';
import { checkExtrinsic, dryRunHex } from './extrinsics';
import { queryInfoHex, queryInfoJson } from './payment';
import * as rt from './runtime';
import { readAt, SimAccounts } from './storage';
import { type TxStatus, TxPool } from './txpool';

// SIMULATED chain node: a JSON-RPC server over WebSocket on 127.0.0.1 that the real
// @polkadot/api connects to. It answers what polkadot.js asks while connecting (methods,
// chain, properties, genesis hash, runtime version, metadata, the subscriptions) and runs
// ContractsApi_call against the simulated contracts. It also takes signed transactions
// (extrinsics.ts checks them, txpool.ts puts them into blocks): signing, fee estimates,
// submission and the events of the block are what polkadot.js sees from a real node.
// Faults are injected per call.

export interface Faults {
  // Contract-level: what the contract does instead of what the model says, in dry runs
  // (ContractsApi_call) and transactions alike; garbageResult and rpcError are dry runs only.
  revert?: boolean; // REVERT flag with no output at all
  langError?: boolean; // Err(LangError::CouldNotReadInput), reverted
  trap?: boolean; // the contract traps (DispatchError: Contracts.ContractTrapped)
  garbageOutput?: boolean; // a well-formed ContractExecResult whose output is junk
  garbageResult?: boolean; // state_call returns bytes that are no ContractExecResult
  rpcError?: boolean; // state_call answers a JSON-RPC error
  // Transport-level.
  delayMs?: number; // answer ContractsApi_call only after this long
  disconnectOnCall?: boolean; // drop the socket when a ContractsApi_call arrives
  silent?: boolean; // accept connections but never answer anything
}

export interface SimStats {
  connections: number; // accepted so far
  openSockets: number; // open right now
  metadataRequests: number;
  contractCalls: number;
  submitted: number; // transactions the pool accepted
  extrinsics: number; // signed transactions included in blocks
  methods: Record<string, number>;
}

interface Subscription {
  ws: WebSocket;
  kind: 'best' | 'finalized' | 'storage' | 'tx';
  method?: string; // the notification, for head subscriptions
  keys?: string[];
  last?: Map<string, string | null>; // storage values last sent
}

export class SimulatedNode {
  faults: Faults = {};
  readonly stats: SimStats = {
    connections: 0,
    openSockets: 0,
    metadataRequests: 0,
    contractCalls: 0,
    submitted: 0,
    extrinsics: 0,
    methods: {},
  };
  #wss: WebSocketServer | null = null;
  #port = 0;
  readonly #sockets = new Set<WebSocket>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #nextSub = 1;
  readonly #subs = new Map<string, Subscription>();
  readonly #blocks: SimBlocks;
  readonly #accounts = new SimAccounts();
  readonly #pool: TxPool;

  constructor(
    private readonly contracts: ContractsSetup,
    opts: { now?: () => number; blockDelayMs?: number; finalityDelayMs?: number; genesisHash?: string } = {},
  ) {
    this.#blocks = new SimBlocks(opts.genesisHash);
    this.#pool = new TxPool(this.#blocks, this.#accounts, {
      run: (origin, dest, input) => this.#execute(origin, dest, input),
      now: opts.now ?? Date.now,
      blockDelayMs: opts.blockDelayMs,
      finalityDelayMs: opts.finalityDelayMs,
      later: (fn, ms) => this.#later(fn, ms),
      onBlock: (b) => this.#onBlock(b),
      onFinalized: (b) => this.#onFinalized(b),
    });
  }

  get blocks(): SimBlocks {
    return this.#blocks;
  }

  get accounts(): SimAccounts {
    return this.#accounts;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  async listen(port = this.#port): Promise<void> {
    await cryptoWaitReady(); // sr25519 signature checks need the WASM crypto
    const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 16 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    this.#port = (wss.address() as AddressInfo).port;
    wss.on('connection', (ws) => this.#accept(ws));
    this.#wss = wss;
  }

  // The endpoint goes down: listener closed (connections are refused), every socket cut.
  async down(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const ws of this.#sockets) ws.terminate();
    this.#sockets.clear();
    this.#subs.clear();
    this.#pool.abandon();
    this.stats.openSockets = 0;
    const wss = this.#wss;
    this.#wss = null;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  dropConnections(): void {
    for (const ws of this.#sockets) ws.terminate();
  }

  #accept(ws: WebSocket): void {
    this.stats.connections++;
    this.#sockets.add(ws);
    this.stats.openSockets = this.#sockets.size;
    ws.on('close', () => {
      for (const [sub, s] of this.#subs) if (s.ws === ws) this.#subs.delete(sub);
      this.#sockets.delete(ws);
      this.stats.openSockets = this.#sockets.size;
    });
    ws.on('error', () => undefined);
    ws.on('message', (raw) => {
      if (this.faults.silent) return;
      let req: { id?: unknown; method?: unknown; params?: unknown };
      try {
        req = JSON.parse(rawText(raw));
      } catch {
        return;
      }
      if (typeof req.method !== 'string') return;
      const params = Array.isArray(req.params) ? req.params : [];
      this.stats.methods[req.method] = (this.stats.methods[req.method] ?? 0) + 1;
      try {
        this.#handle(ws, req.id, req.method, params);
      } catch (e) {
        // Params a real node could not parse either (a bad address, say).
        this.#error(ws, req.id, -32602, `Invalid params: ${(e as Error).message}`);
      }
    });
  }

  #send(ws: WebSocket, body: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(body));
  }

  #reply(ws: WebSocket, id: unknown, result: unknown): void {
    this.#send(ws, { jsonrpc: '2.0', id, result });
  }

  #error(ws: WebSocket, id: unknown, code: number, message: string, data?: string): void {
    this.#send(ws, { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } });
  }

  // A subscription: its id now, its first notification right after, and (for heads) every
  // later head of its kind.
  #subscribe(ws: WebSocket, id: unknown, notification: string, result: unknown, heads?: 'best' | 'finalized'): void {
    const sub = `sim-${this.#nextSub++}`;
    if (heads) this.#subs.set(sub, { ws, kind: heads, method: notification });
    this.#reply(ws, id, sub);
    this.#later(() => this.#notifySub(sub, ws, notification, result), 0);
  }

  #notifySub(sub: string, ws: WebSocket, method: string, result: unknown): void {
    this.#send(ws, { jsonrpc: '2.0', method, params: { subscription: sub, result } });
  }

  #later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #handle(ws: WebSocket, id: unknown, method: string, params: unknown[]): void {
    const blocks = this.#blocks;
    switch (method) {
      case 'rpc_methods':
        return this.#reply(ws, id, { version: 1, methods: rt.RPC_METHODS });
      case 'system_chain':
        return this.#reply(ws, id, rt.CHAIN_NAME);
      case 'system_name':
        return this.#reply(ws, id, 'copybara-sim-chain');
      case 'system_version':
        return this.#reply(ws, id, '0.0.0-simulated');
      case 'system_properties':
        return this.#reply(ws, id, rt.PROPERTIES);
      case 'system_health':
        return this.#reply(ws, id, { peers: 1, isSyncing: false, shouldHavePeers: true });
      case 'system_accountNextIndex':
      case 'account_nextIndex':
        return this.#reply(ws, id, this.#pool.nextIndex(accountHex(params[0])));
      case 'chain_getBlockHash':
        return this.#reply(ws, id, blocks.at(params[0])?.hash ?? null);
      case 'chain_getFinalizedHead':
      case 'chain_getFinalisedHead':
        return this.#reply(ws, id, blocks.finalized.hash);
      case 'chain_getHeader':
        return this.#reply(ws, id, blocks.at(params[0])?.header ?? null);
      case 'chain_getBlock': {
        const b = blocks.at(params[0]);
        return this.#reply(ws, id, b ? { block: { header: b.header, extrinsics: b.extrinsics }, justifications: null } : null);
      }
      case 'state_getRuntimeVersion':
      case 'chain_getRuntimeVersion':
        return this.#reply(ws, id, rt.RUNTIME_VERSION);
      case 'state_getMetadata':
        this.stats.metadataRequests++;
        return this.#reply(ws, id, rt.METADATA_HEX);
      case 'state_getStorage':
      case 'state_getStorageAt': {
        const read = readAt(this.#accounts, blocks, [String(params[0])], params[1]);
        return read ? this.#reply(ws, id, read.changes[0]![1]) : this.#unknownBlock(ws, id, params[1]);
      }
      case 'state_queryStorageAt': {
        const read = readAt(this.#accounts, blocks, (params[0] as string[] | undefined) ?? [], params[1]);
        return read ? this.#reply(ws, id, [read]) : this.#unknownBlock(ws, id, params[1]);
      }
      case 'state_subscribeStorage':
        return this.#subscribeStorage(ws, id, (params[0] as string[] | undefined) ?? []);
      case 'state_subscribeRuntimeVersion':
      case 'chain_subscribeRuntimeVersion':
        return this.#subscribe(ws, id, 'state_runtimeVersion', rt.RUNTIME_VERSION);
      case 'chain_subscribeNewHeads':
      case 'chain_subscribeNewHead':
        return this.#subscribe(ws, id, 'chain_newHead', blocks.best.header, 'best');
      case 'chain_subscribeFinalizedHeads':
      case 'chain_subscribeFinalisedHeads':
        return this.#subscribe(ws, id, 'chain_finalizedHead', blocks.finalized.header, 'finalized');
      case 'chain_subscribeAllHeads':
        return this.#subscribe(ws, id, 'chain_allHead', blocks.best.header, 'best');
      case 'author_submitExtrinsic':
      case 'author_submitAndWatchExtrinsic':
        return this.#submit(ws, id, params[0], method === 'author_submitAndWatchExtrinsic');
      case 'author_pendingExtrinsics':
        return this.#reply(ws, id, []);
      case 'system_dryRun':
      case 'system_dryRunAt': {
        const checked = checkExtrinsic(String(params[0]), blocks, this.#accounts);
        if ('code' in checked && !checked.validity) return this.#error(ws, id, checked.code, checked.message, checked.data);
        return this.#reply(
          ws,
          id,
          dryRunHex(checked, this.#accounts, (o, d, i) => this.#execute(o, d, i)),
        );
      }
      case 'payment_queryInfo':
        return this.#reply(ws, id, queryInfoJson(String(params[0])));
      case 'state_call':
        return this.#stateCall(ws, id, params);
      default:
        if (/_unsubscribe|_unwatch/.test(method)) {
          this.#subs.delete(String(params[0]));
          return this.#reply(ws, id, true);
        }
        return this.#error(ws, id, -32601, 'Method not found');
    }
  }

  #unknownBlock(ws: WebSocket, id: unknown, at: unknown): void {
    this.#error(ws, id, 4003, `Client error: UnknownBlock: Header was not found in the database: ${String(at)}`);
  }

  #submit(ws: WebSocket, id: unknown, hex: unknown, watch: boolean): void {
    const checked = checkExtrinsic(String(hex), this.#blocks, this.#accounts);
    if ('code' in checked) return this.#error(ws, id, checked.code, checked.message, checked.data);
    const sub = `sim-${this.#nextSub++}`;
    const watcher = watch
      ? (status: TxStatus) => {
          if (!this.#subs.has(sub)) return; // unwatched, or the socket is gone
          this.#notifySub(sub, ws, 'author_extrinsicUpdate', status);
          if (typeof status !== 'string' ? 'finalized' in status : status === 'invalid') this.#subs.delete(sub);
        }
      : undefined;
    if (watch) this.#subs.set(sub, { ws, kind: 'tx' });
    const refused = this.#pool.submit(checked, watcher);
    if (refused) {
      this.#subs.delete(sub);
      return this.#error(ws, id, refused.code, refused.message, refused.data);
    }
    this.stats.submitted++;
    this.#reply(ws, id, watch ? sub : checked.hash);
  }

  #subscribeStorage(ws: WebSocket, id: unknown, keys: string[]): void {
    const sub = `sim-${this.#nextSub++}`;
    const read = readAt(this.#accounts, this.#blocks, keys, undefined)!;
    this.#subs.set(sub, { ws, kind: 'storage', keys, last: new Map(read.changes) });
    this.#reply(ws, id, sub);
    this.#later(() => this.#notifySub(sub, ws, 'state_storage', read), 0);
  }

  // A new best block: new heads, and the storage values it changed, to their subscribers.
  #onBlock(block: Block): void {
    this.stats.extrinsics = this.#pool.included;
    for (const [sub, s] of this.#subs) {
      if (s.kind === 'best') this.#notifySub(sub, s.ws, s.method!, block.header);
      if (s.kind !== 'storage') continue;
      const changes = readAt(this.#accounts, this.#blocks, s.keys!, block.hash)!.changes.filter(([k, v]) => s.last!.get(k) !== v);
      for (const [k, v] of changes) s.last!.set(k, v);
      if (changes.length) this.#notifySub(sub, s.ws, 'state_storage', { block: block.hash, changes });
    }
  }

  #onFinalized(block: Block): void {
    for (const [sub, s] of this.#subs) if (s.kind === 'finalized') this.#notifySub(sub, s.ws, s.method!, block.header);
  }

  #stateCall(ws: WebSocket, id: unknown, params: unknown[]): void {
    const [name, data] = params;
    if (name === 'Metadata_metadata_versions') return this.#reply(ws, id, rt.METADATA_VERSIONS_HEX);
    if (name === 'TransactionPaymentApi_query_info' && typeof data === 'string') return this.#reply(ws, id, queryInfoHex(data));
    if (name === 'AccountNonceApi_account_nonce' && typeof data === 'string') {
      return this.#reply(ws, id, rt.registry.createType('u32', this.#pool.nextIndex(accountHex(data))).toHex());
    }
    if (name === 'Metadata_metadata_at_version') {
      this.stats.metadataRequests++;
      return this.#reply(ws, id, rt.METADATA_AT_VERSION_HEX);
    }
    if (name !== 'ContractsApi_call' || typeof data !== 'string') {
      return this.#error(ws, id, -32000, `Client error: Execution failed: Other("Exported method ${String(name)} is not found")`);
    }
    this.stats.contractCalls++;
    const f = this.faults;
    if (f.disconnectOnCall) return ws.terminate();
    const answer = () => {
      if (f.rpcError) return this.#error(ws, id, -32000, 'Client error: Execution failed: simulated');
      if (f.garbageResult) return this.#reply(ws, id, '0xdeadbeef');
      this.#reply(ws, id, execResultHex(this.#runCall(data)));
    };
    if (f.delayMs) this.#later(answer, f.delayMs);
    else answer();
  }

  #runCall(data: string): Execution {
    let args: ReturnType<typeof decodeCallArgs>;
    try {
      args = decodeCallArgs(data);
    } catch {
      return { dispatchError: 'DecodingFailed' };
    }
    return this.#execute(args.origin, args.dest, args.input);
  }

  // The contract-level faults hold for dry runs and transactions alike: it is the contract
  // that misbehaves.
  #execute(origin: string, dest: string, input: Uint8Array): Execution {
    const f = this.faults;
    if (f.trap) return { dispatchError: 'ContractTrapped' };
    if (f.revert) return { flags: 1, data: new Uint8Array() };
    if (f.langError) return { flags: 1, data: new Uint8Array([1, 1]) };
    if (f.garbageOutput) return { flags: 0, data: new Uint8Array([0, 0x07, 0xff, 0x13, 0x37]) };
    return execute(this.contracts, origin, dest, input);
  }
}

// An account id from an RPC param: SS58, or 0x-hex of a SCALE AccountId.
function accountHex(value: unknown): string {
  return u8aToHex(decodeAddress(String(value)));
}

// What `ws` hands a 'message' listener, as text.
function rawText(raw: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}
