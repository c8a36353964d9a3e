import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';

// Which local address a Firefox call's relay listens on, and which sources count as this
// machine. Firefox refuses a TURN server on a loopback address, so its calls need one of the
// machine's other addresses; the one of the default route is the address Firefox itself
// gathers from (it gathers nothing at all on a machine without a default route).

// TEST-NET-2 (RFC 5737): routed like any outside address, and never really sent to.
const ROUTE_PROBE = '198.51.100.1';

/**
 * The IPv4 address this machine sends from on its default route, or null when there is none
 * (no network connection). Connecting a UDP socket sends no packet: the kernel only picks the
 * route and the source address it would use, which is what is read back.
 */
export function defaultRouteAddress(): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (address: string | null) => {
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve(address);
    };
    socket.once('error', () => done(null));
    socket.connect(9, ROUTE_PROBE, () => {
      let address: string | null = null;
      try {
        address = socket.address().address;
      } catch {
        address = null;
      }
      done(address !== null && usable(address) ? address : null);
    });
  });
}

// 0.0.0.0 and loopback are what a half-configured machine may report; neither serves Firefox.
function usable(address: string): boolean {
  return address !== '0.0.0.0' && !address.startsWith('127.');
}

/** Every address of every interface of this machine, now. */
export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}
