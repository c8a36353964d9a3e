import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ContractsSetup, decodeCallArgs, execResultHex, execute } from './contract';
import * as rt from './runtime';

// SIMULATED chain node: a JSON-RPC server over WebSocket on 127.0.0.1 that the real
// @polkadot/api connects to. It answers what polkadot.js asks while connecting (methods,
// chain, properties, genesis hash, runtime version, metadata, the subscriptions) and runs
// ContractsApi_call against the simulated contracts. Faults are injected per call.

export interface Faults {
  // Contract-level: what ContractsApi_call answers instead of the model's result.
  revert?: boolean; // REVERT flag with no output at all
  langError?: boolean; // Err(LangError::CouldNotReadInput), reverted
  trap?: boolean; // the call fails on chain (DispatchError: Contracts.ContractTrapped)
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
  methods: Record<string, number>;
}

const BEST = 1;

export class SimulatedNode {
  faults: Faults = {};
  readonly stats: SimStats = { connections: 0, openSockets: 0, metadataRequests: 0, contractCalls: 0, methods: {} };
  #wss: WebSocketServer | null = null;
  #port = 0;
  readonly #sockets = new Set<WebSocket>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #nextSub = 1;

  constructor(private readonly contracts: ContractsSetup) {}

  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  async listen(port = this.#port): Promise<void> {
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
      this.#sockets.delete(ws);
      this.stats.openSockets = this.#sockets.size;
    });
    ws.on('error', () => undefined);
    ws.on('message', (raw) => {
      if (this.faults.silent) return;
      let req: { id?: unknown; method?: unknown; params?: unknown };
      try {
        req = JSON.parse(String(raw));
      } catch {
        return;
      }
      if (typeof req.method !== 'string') return;
      const params = Array.isArray(req.params) ? req.params : [];
      this.stats.methods[req.method] = (this.stats.methods[req.method] ?? 0) + 1;
      this.#handle(ws, req.id, req.method, params);
    });
  }

  #send(ws: WebSocket, body: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(body));
  }

  #reply(ws: WebSocket, id: unknown, result: unknown): void {
    this.#send(ws, { jsonrpc: '2.0', id, result });
  }

  #error(ws: WebSocket, id: unknown, code: number, message: string): void {
    this.#send(ws, { jsonrpc: '2.0', id, error: { code, message } });
  }

  // A subscription: its id now, its first notification right after.
  #subscribe(ws: WebSocket, id: unknown, notification: string, result: unknown): void {
    const sub = `sim-${this.#nextSub++}`;
    this.#reply(ws, id, sub);
    this.#later(() => this.#send(ws, { jsonrpc: '2.0', method: notification, params: { subscription: sub, result } }), 0);
  }

  #later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #handle(ws: WebSocket, id: unknown, method: string, params: unknown[]): void {
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
      case 'chain_getBlockHash':
        return this.#reply(ws, id, rt.blockHash(params[0] === 0 || params[0] === '0x0' ? 0 : BEST));
      case 'chain_getFinalizedHead':
      case 'chain_getFinalisedHead':
        return this.#reply(ws, id, rt.blockHash(BEST));
      case 'chain_getHeader':
        return this.#reply(ws, id, rt.header(params[0] === rt.GENESIS_HASH ? 0 : BEST));
      case 'state_getRuntimeVersion':
      case 'chain_getRuntimeVersion':
        return this.#reply(ws, id, rt.RUNTIME_VERSION);
      case 'state_getMetadata':
        this.stats.metadataRequests++;
        return this.#reply(ws, id, rt.METADATA_HEX);
      case 'state_subscribeRuntimeVersion':
      case 'chain_subscribeRuntimeVersion':
        return this.#subscribe(ws, id, 'state_runtimeVersion', rt.RUNTIME_VERSION);
      case 'chain_subscribeNewHeads':
      case 'chain_subscribeNewHead':
        return this.#subscribe(ws, id, 'chain_newHead', rt.header(BEST));
      case 'chain_subscribeFinalizedHeads':
      case 'chain_subscribeFinalisedHeads':
        return this.#subscribe(ws, id, 'chain_finalizedHead', rt.header(BEST));
      case 'chain_subscribeAllHeads':
        return this.#subscribe(ws, id, 'chain_allHead', rt.header(BEST));
      case 'state_call':
        return this.#stateCall(ws, id, params);
      default:
        if (/_unsubscribe/.test(method)) return this.#reply(ws, id, true);
        return this.#error(ws, id, -32601, 'Method not found');
    }
  }

  #stateCall(ws: WebSocket, id: unknown, params: unknown[]): void {
    const [name, data] = params;
    if (name === 'Metadata_metadata_versions') return this.#reply(ws, id, rt.METADATA_VERSIONS_HEX);
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
      this.#reply(ws, id, execResultHex(this.#execute(data)));
    };
    if (f.delayMs) this.#later(answer, f.delayMs);
    else answer();
  }

  #execute(data: string) {
    const f = this.faults;
    if (f.trap) return { dispatchError: 'ContractTrapped' };
    if (f.revert) return { flags: 1, data: new Uint8Array() };
    if (f.langError) return { flags: 1, data: new Uint8Array([1, 1]) };
    if (f.garbageOutput) return { flags: 0, data: new Uint8Array([0, 0x07, 0xff, 0x13, 0x37]) };
    let args: ReturnType<typeof decodeCallArgs>;
    try {
      args = decodeCallArgs(data);
    } catch {
      return { dispatchError: 'DecodingFailed' };
    }
    return execute(this.contracts, args.origin, args.dest, args.input);
  }
}
