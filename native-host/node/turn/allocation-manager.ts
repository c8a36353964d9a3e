import { Allocation } from './allocation';
import type { ClientAddress } from './types';
import type { TurnUser } from './user';

// Two indexes over the live allocations: by client 5-tuple (every datagram from a client)
// and by relayed port (every datagram from the overlay). Our 5-tuple is always (client
// address, client port, this server's address and port, UDP), so only the client half
// varies; it is a two-level map so that the hot path builds no string key.

// RFC 6335 dynamic range, where a real TURN server would draw its relayed ports from.
export const PORT_MIN = 49152;
export const PORT_MAX = 65535;
const PORT_COUNT = PORT_MAX - PORT_MIN + 1;

export class AllocationManager {
  private readonly byClient = new Map<string, Map<number, Allocation>>();
  private readonly byRelayPort = new Map<number, Allocation>();
  private cursor = PORT_MIN;

  get size(): number {
    return this.byRelayPort.size;
  }

  values(): IterableIterator<Allocation> {
    return this.byRelayPort.values();
  }

  /** The live allocation of a client 5-tuple; an expired one is removed on the way. */
  find(address: string, port: number, now: number): Allocation | undefined {
    const alloc = this.byClient.get(address)?.get(port);
    if (alloc && alloc.isExpired(now)) {
      this.remove(alloc);
      return undefined;
    }
    return alloc;
  }

  /** The live allocation whose relayed port is `port`. */
  findByRelayPort(port: number, now: number): Allocation | undefined {
    const alloc = this.byRelayPort.get(port);
    if (alloc && alloc.isExpired(now)) {
      this.remove(alloc);
      return undefined;
    }
    return alloc;
  }

  /**
   * Picks the next free relayed port from 49152 upwards, wrapping and skipping ports in use
   * (and odd ports when `even`, RFC 5766 §6.2 EVEN-PORT). Null when none is left.
   */
  create(client: ClientAddress, user: TurnUser, lifetimeMs: number, now: number, even = false): Allocation | null {
    let port = -1;
    for (let i = 0; i < PORT_COUNT; i++) {
      const candidate = PORT_MIN + ((this.cursor - PORT_MIN + i) % PORT_COUNT);
      if (even && candidate % 2 !== 0) continue;
      if (!this.byRelayPort.has(candidate)) {
        port = candidate;
        break;
      }
    }
    if (port < 0) return null;
    // Moving on past the port just taken delays its reuse, so stray datagrams for a freed
    // allocation are unlikely to reach a new one.
    this.cursor = port === PORT_MAX ? PORT_MIN : port + 1;
    const alloc = new Allocation(client, user, port, now + lifetimeMs);
    let ports = this.byClient.get(client.address);
    if (!ports) {
      ports = new Map();
      this.byClient.set(client.address, ports);
    }
    ports.set(client.port, alloc);
    this.byRelayPort.set(port, alloc);
    user.allocations.add(alloc);
    return alloc;
  }

  remove(alloc: Allocation): void {
    if (this.byRelayPort.get(alloc.relayPort) !== alloc) return;
    this.byRelayPort.delete(alloc.relayPort);
    const ports = this.byClient.get(alloc.client.address);
    if (ports?.get(alloc.client.port) === alloc) {
      ports.delete(alloc.client.port);
      if (ports.size === 0) this.byClient.delete(alloc.client.address);
    }
    alloc.user.allocations.delete(alloc);
  }

  /** Removes expired allocations and expired permissions/channels of live ones. */
  sweep(now: number): void {
    for (const alloc of [...this.byRelayPort.values()]) {
      if (alloc.isExpired(now)) this.remove(alloc);
      else alloc.sweep(now);
    }
  }

  clear(): void {
    for (const alloc of [...this.byRelayPort.values()]) this.remove(alloc);
  }
}
