// The parts of Protomux this project uses (the package ships no types).

declare module 'protomux' {
  // A compact-encoding codec.
  export interface Encoding<T> {
    preencode(state: unknown, value: T): void;
    encode(state: unknown, value: T): void;
    decode(state: unknown): T;
  }

  export interface ProtomuxMessage<T> {
    // false: the stream under the muxer holds more than its mark (the channel's ondrain follows).
    send(message: T): boolean;
  }

  export interface ProtomuxChannel {
    readonly opened: boolean;
    readonly closed: boolean;
    open(handshake?: unknown): void;
    close(): void;
    addMessage<T>(opts: { encoding: Encoding<T>; onmessage?: (message: T) => void }): ProtomuxMessage<T>;
  }

  export interface ChannelOptions {
    protocol: string;
    id?: Buffer | null;
    unique?: boolean;
    onopen?: () => void;
    onclose?: () => void;
    ondrain?: () => void;
  }

  export default class Protomux {
    // `stream`: a framed stream (each write arrives whole as one 'data'), such as a secret stream.
    constructor(stream: unknown);
    createChannel(opts: ChannelOptions): ProtomuxChannel | null;
    pair(opts: { protocol: string; id?: Buffer | null }, notify: (id: Buffer | null) => void): void;
    unpair(opts: { protocol: string; id?: Buffer | null }): void;
    destroy(err?: Error): void;
  }
}
