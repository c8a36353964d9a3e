// The parts of HyperDHT and its secret streams this project uses (the package ships no types).

declare module 'hyperdht' {
  import type { EventEmitter } from 'node:events';

  export interface KeyPair {
    publicKey: Buffer;
    secretKey: Buffer;
  }

  export interface HostPort {
    host: string;
    port: number;
  }

  export interface NoiseSecretStream extends EventEmitter {
    remotePublicKey: Buffer;
    publicKey: Buffer;
    rawStream: unknown;
    destroyed: boolean;
    write(data: Uint8Array): boolean;
    end(): void;
    destroy(err?: Error): void;
    send(data: Uint8Array): unknown;
    trySend(data: Uint8Array): void;
    setKeepAlive(ms: number): void;
    opened: Promise<boolean>;
  }

  export interface Server extends EventEmitter {
    listen(keyPair: KeyPair): Promise<void>;
    close(): Promise<void>;
    address(): { host: string; port: number; publicKey: Buffer } | null;
  }

  export interface DHTOptions {
    bootstrap?: (HostPort | string)[];
    host?: string;
    port?: number;
    ephemeral?: boolean;
    firewalled?: boolean;
    keyPair?: KeyPair;
    connectionKeepAlive?: number | false;
  }

  export default class DHT extends EventEmitter {
    constructor(opts?: DHTOptions);
    static keyPair(seed?: Buffer): KeyPair;
    createServer(opts: { firewall?: (remotePublicKey: Buffer) => boolean }, onconnection: (s: NoiseSecretStream) => void): Server;
    createServer(onconnection: (s: NoiseSecretStream) => void): Server;
    connect(publicKey: Buffer, opts?: { keyPair?: KeyPair; localConnection?: boolean }): NoiseSecretStream;
    ready(): Promise<void>;
    fullyBootstrapped(): Promise<void>;
    address(): { host: string; port: number };
    destroy(opts?: { force?: boolean }): Promise<void>;
    destroyed: boolean;
  }
}

declare module 'hyperdht/testnet.js' {
  import type DHT from 'hyperdht';
  import type { HostPort } from 'hyperdht';

  export interface Testnet {
    nodes: DHT[];
    bootstrap: HostPort[];
    destroy(): Promise<void>;
  }

  export default function createTestnet(size?: number, opts?: { host?: string; port?: number }): Promise<Testnet>;
}
