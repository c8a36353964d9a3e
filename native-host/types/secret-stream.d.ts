// The parts of @hyperswarm/secret-stream this project uses directly (the package ships no
// types): the Noise-encrypted stream HyperDHT hands out, here run over a plain TCP socket.

declare module '@hyperswarm/secret-stream' {
  import type { EventEmitter } from 'node:events';
  import type { KeyPair, NoiseSecretStream } from 'hyperdht';

  // What it needs of the stream under it: a byte stream, plus, for datagrams, `trySend` and
  // 'message' events (a UDX stream has both; the Staex backend adds them to a TCP socket).
  export type RawStream = EventEmitter & {
    write(data: Uint8Array): boolean;
    end(): void;
    destroy(err?: Error): void;
  };

  // The class's instances are HyperDHT's secret streams, whose type is declared there.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
  class SecretStream {
    constructor(isInitiator: boolean, rawStream: RawStream, opts: { keyPair: KeyPair; keepAlive?: number });
    // Destroys the stream once nothing has arrived for `ms` (0: never).
    setTimeout(ms: number): void;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
  interface SecretStream extends NoiseSecretStream {}
  export default SecretStream;
}
