import { randomBytes } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';
import DHT, { type NoiseSecretStream } from 'hyperdht';
import { enlargeSocketBuffers } from '../../native-host/node/network/hyperdht';
import { enlargeBuffers } from '../../native-host/node/network/socket-buffers';
import { runScript, testnetDht } from './bare-process';

// The least two Node.js processes can do to carry a datagram over the overlay, as a floor for
// the relay bench: a plain UDP socket facing the bench on each side and one HyperDHT
// connection between them; each datagram is received, sealed and sent as one secret-stream
// datagram, then received, opened and sent on. No TURN, no framing, no call, no checks: what
// the node's media path cannot avoid (a receive, a libsodium call and a send per hop, in
// JavaScript), so its throughput bounds what any two-node relay written this way reaches here.
//
//   bare-forwarder.ts serve <bootstrap> <bench port>        prints "key <hex>" and "udp <port>"
//   bare-forwarder.ts dial <bootstrap> <key hex> <bench port>   prints "udp <port>" once connected
// <bootstrap>: the testnet's 127.0.0.1:<port>[,...]; <bench port>: where datagrams from the
// other side go (the bench's socket on 127.0.0.1).

function bindUdp(): Promise<Socket> {
  const udp = createSocket('udp4');
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => {
      udp.off('error', reject);
      // The same headroom as the node's TURN socket.
      enlargeBuffers(udp);
      resolve(udp);
    });
  });
}

async function forward(overlay: NoiseSecretStream, benchPort: number): Promise<void> {
  const udp = await bindUdp();
  udp.on('message', (d) => overlay.trySend(d));
  overlay.on('message', (d: Buffer) => udp.send(d, benchPort, '127.0.0.1'));
  overlay.on('error', () => {});
  overlay.on('close', () => udp.close());
  console.log(`udp ${udp.address().port}`);
}

async function main(argv: string[]): Promise<void> {
  const [role, list, ...rest] = argv;
  const usage = 'usage: bare-forwarder.ts serve 127.0.0.1:<port>[,...] <bench port> | dial 127.0.0.1:<port>[,...] <key> <bench port>';
  const benchPort = Number(rest.at(-1));
  if (!Number.isInteger(benchPort)) throw new Error(usage);
  const node = testnetDht(list, usage);
  // The same socket headroom as the node's.
  enlargeSocketBuffers(node);
  if (role === 'serve') {
    const keyPair = DHT.keyPair(randomBytes(32));
    // One connection is the whole job: the first one carries the datagrams.
    let taken = false;
    const server = node.createServer((overlay) => {
      if (taken) return void overlay.destroy();
      taken = true;
      void forward(overlay, benchPort);
    });
    await server.listen(keyPair);
    console.log(`key ${keyPair.publicKey.toString('hex')}`);
  } else if (role === 'dial' && rest.length === 2) {
    const overlay = node.connect(Buffer.from(rest[0]!, 'hex'));
    overlay.on('error', (err: Error) => {
      console.error(`the overlay connection failed: ${err.message}`);
      process.exit(1);
    });
    if (!(await overlay.opened)) throw new Error('the overlay connection did not open');
    await forward(overlay, benchPort);
  } else {
    throw new Error(`unknown role ${role}`);
  }
}

runScript(() => main(process.argv.slice(2)));
