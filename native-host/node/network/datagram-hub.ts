import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';

// The Staex backend's one UDP socket, shared by all its links. Every node listens on the same
// Copybara port at its own Staex address, so a peer's datagrams come from (its address, that
// port) and ours go there. Several links may run to one peer (a redial, two calls crossing):
// a datagram is offered to each of them, and only the link whose keys it was sealed with
// can open it (secret-stream drops the rest without a word), so no link id is needed.

// A TCP socket that also carries datagrams, as secret-stream expects of a UDX stream.
export type DatagramSocket = Socket & { trySend(data: Uint8Array): void };

export class DatagramHub {
  private _udp: UdpSocket;
  private _port: number;
  private _byHost = new Map<string, Set<Socket>>();
  // Datagrams from addresses no link runs to, or from another port: counted, never answered.
  strays = 0;

  constructor(udp: UdpSocket, port: number) {
    this._udp = udp;
    this._port = port;
    udp.on('message', (data, from) => this._deliver(data, from.address, from.port));
  }

  // Gives `socket` (connected to `host`) a way to send datagrams to the peer, and the peer's
  // datagrams as 'message' events, until it closes.
  attach(socket: Socket, host: string): DatagramSocket {
    const port = this._port;
    const udp = this._udp;
    const withSend = Object.assign(socket, {
      trySend(data: Uint8Array): void {
        // Media is unreliable by design: a full send buffer or a closed socket loses a packet.
        try {
          udp.send(data, port, host);
        } catch {
          // The socket closed under a last packet: nothing to report.
        }
      },
    });
    let links = this._byHost.get(host);
    if (!links) this._byHost.set(host, (links = new Set()));
    links.add(socket);
    socket.once('close', () => {
      links.delete(socket);
      if (links.size === 0 && this._byHost.get(host) === links) this._byHost.delete(host);
    });
    return withSend;
  }

  private _deliver(data: Buffer, host: string, port: number): void {
    const links = port === this._port ? this._byHost.get(host) : undefined;
    if (!links) {
      this.strays++;
      return;
    }
    // secret-stream opens a datagram in place: each link gets its own copy, made before any
    // of them has opened it.
    const targets = [...links];
    const copies = targets.map((_s, i) => (i === 0 ? data : Buffer.from(data)));
    targets.forEach((socket, i) => socket.emit('message', copies[i]));
  }
}
