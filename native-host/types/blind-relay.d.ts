// The parts of blind-relay this project uses (the package ships no types).

declare module 'blind-relay' {
  import type { EventEmitter } from 'node:events';

  // A UDX stream of the relay's DHT node; blind-relay forwards it to its pair in native code.
  export interface RelayRawStream extends EventEmitter {
    destroy(err?: Error): void;
  }

  export interface BlindRelaySession extends EventEmitter {
    on(event: 'pair', listener: (isInitiator: boolean, token: Buffer, stream: RelayRawStream, remoteId: number) => void): this;
    on(event: 'error' | 'close', listener: (err?: Error) => void): this;
  }

  export interface BlindRelayStats {
    sessions: { accepted: number; opened: number; closed: number; readonly active: number };
    pairings: { requested: number; matched: number; cancelled: number; pending: number; active: number };
  }

  export class Server extends EventEmitter {
    constructor(opts: { createStream(opts: { firewall: unknown }): RelayRawStream });
    readonly stats: BlindRelayStats;
    accept(stream: unknown, opts?: { id?: Buffer }): BlindRelaySession;
    close(): Promise<void>;
  }

  // The side a peer runs (HyperDHT does, in private mode); tests drive it directly.
  export class Client extends EventEmitter {
    constructor(stream: unknown, opts?: { id?: Buffer });
    pair(isInitiator: boolean, token: Buffer, stream: RelayRawStream): EventEmitter;
    on(event: 'pair', listener: (isInitiator: boolean, token: Buffer) => void): this;
    on(event: 'error' | 'close', listener: (err?: Error) => void): this;
  }

  export function token(buf?: Buffer): Buffer;
}
