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
    // The UDX stream under the encryption: its remote address is whoever carries the packets
    // (the peer, or the blind relay in between).
    // rtt: its smoothed round-trip time in milliseconds, end to end (through a relay too).
    rawStream: { remoteHost?: string; remotePort?: number; rtt?: number } | null;
    destroyed: boolean;
    write(data: Uint8Array): boolean;
    end(): void;
    destroy(err?: Error): void;
    send(data: Uint8Array): unknown;
    trySend(data: Uint8Array): void;
    setKeepAlive(ms: number): void;
    pause(): this;
    resume(): this;
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

  // A relay's public key, or a function HyperDHT calls for each connection to pick one (null: none).
  export type RelayThrough = Buffer | (() => Buffer | null) | null;

  export interface ServerOptions {
    firewall?: (remotePublicKey: Buffer, payload: unknown) => boolean | Promise<boolean>;
    holepunch?: boolean;
    shareLocalAddress?: boolean;
    relayThrough?: RelayThrough;
  }

  export interface LookupReply {
    from: HostPort;
    peers: { publicKey: Buffer; relayAddresses: HostPort[] }[];
  }

  // dht-rpc's query stream: readable of replies, finished() once it is done.
  export interface Query extends AsyncIterable<LookupReply> {
    finished(): Promise<void>;
    destroy(err?: Error): void;
  }

  export default class DHT extends EventEmitter {
    constructor(opts?: DHTOptions);
    static keyPair(seed?: Buffer): KeyPair;
    createServer(opts: ServerOptions, onconnection: (s: NoiseSecretStream) => void): Server;
    createServer(onconnection: (s: NoiseSecretStream) => void): Server;
    connect(
      publicKey: Buffer,
      opts?: {
        keyPair?: KeyPair;
        localConnection?: boolean;
        relayThrough?: RelayThrough;
        fastOpen?: boolean;
        // Asked once both sides' NAT kinds are known (FIREWALL values); false aborts the punch.
        holepunch?: (remoteFirewall: number, localFirewall: number, remoteAddresses: unknown, localAddresses: unknown) => boolean;
        // To see the handshake payload the answering node sends back.
        createHandshake?: (keyPair: KeyPair, remotePublicKey: Buffer) => import('hyperdht/lib/noise-wrap.js').default;
      },
    ): NoiseSecretStream;
    remoteAddress(): HostPort | null;
    bootstrapped: boolean;
    createRawStream(opts?: object): import('blind-relay').RelayRawStream;
    announce(target: Buffer, keyPair: KeyPair, relayAddresses?: HostPort[]): Query;
    unannounce(target: Buffer, keyPair: KeyPair): Promise<void>;
    lookup(target: Buffer): Query;
    ready(): Promise<void>;
    fullyBootstrapped(): Promise<void>;
    address(): { host: string; port: number };
    destroy(opts?: { force?: boolean }): Promise<void>;
    destroyed: boolean;
    // dht-rpc: the first bootstrap query has finished (answered or not).
    readonly bootstrapped: boolean;
    // dht-rpc's NetworkHealth verdicts.
    readonly online: boolean;
    readonly degraded: boolean;
    // dht-rpc's routing table nodes, most recent first.
    readonly nodes: { readonly length: number };
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

// The Noise handshake HyperDHT wraps its handshake payloads in: the node reads the relay the
// answerer names from it; tests record everything it decodes.
declare module 'hyperdht/lib/noise-wrap.js' {
  import type { KeyPair } from 'hyperdht';

  export default class NoiseWrap {
    constructor(keyPair: KeyPair, remotePublicKey: Buffer | null);
    send(payload: unknown): Buffer;
    recv(buf: Buffer): unknown;
  }
}
