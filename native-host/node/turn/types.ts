// The public shapes of the TURN server, re-exported by server.ts (the module other code
// imports).

export interface TurnBinding {
  /** Virtual IPv4 put in XOR-RELAYED-ADDRESS for allocations made with this credential. */
  relayIp: string;
  /** The only peer IPv4 this credential may create permissions for / exchange data with. */
  peerIp: string;
  /** Application data larger than this (bytes) is dropped, counted and logged once per allocation. */
  maxPayload: number;
  /**
   * Relayed-port -> peer port, towards the overlay. `data` is a view into the datagram the
   * client sent; Node gives each datagram its own buffer, so it may be kept without copying.
   */
  send(fromPort: number, toPort: number, data: Uint8Array): void;
}

export interface TurnServerOptions {
  /** Default '127.0.0.1'; a loopback address (127.0.0.0/8 or ::1), or one of `onlyFrom`. */
  host?: string;
  /**
   * This machine's own addresses. Given, the server may listen on one of them that is not
   * loopback, and drops every datagram from any other source without an answer.
   */
  onlyFrom?: ReadonlySet<string>;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 'copybara'. */
  realm?: string;
  /** One line per rejected/malformed datagram class (repeated lines are rate-limited). */
  log?: (line: string) => void;
  /** Millisecond clock, injectable for lifetime/nonce tests. */
  now?: () => number;
}

export interface TurnStats {
  allocations: number;
  users: number;
  /** Datagrams handed to a binding's send(). */
  relayedToPeer: number;
  /** Datagrams sent to a client as ChannelData or Data indication. */
  relayedToClient: number;
  /** Datagrams discarded without an answer (malformed, no allocation/permission, oversize...). */
  dropped: number;
  /** Requests answered with an error response (the initial 401 challenge not counted). */
  rejected: number;
}

export interface ClientAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}
