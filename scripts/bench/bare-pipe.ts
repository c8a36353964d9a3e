import { randomBytes } from 'node:crypto';
import { type Socket, connect, createServer } from 'node:net';
import DHT, { type NoiseSecretStream } from 'hyperdht';
import { runScript, testnetDht } from './bare-process';

// The transport's own ceiling for the sites bench, run as two processes like the two nodes:
// one TCP connection carried over one bare HyperDHT connection (Noise secret stream over UDX),
// with nothing else: no multiplexing, no proxy, no names, no limits. Whatever the overlay path
// of a site download reaches, it cannot beat this on the same machine; the bench puts the two
// side by side so the share the site code itself costs can be told from the transport's.
//
//   bare-pipe.ts serve <bootstrap> <web server port>   prints "key <hex>"
//   bare-pipe.ts visit <bootstrap> <key hex>           prints "port <n>" (127.0.0.1)
// <bootstrap>: the testnet's 127.0.0.1:<port>[,127.0.0.1:<port>...].

// Bytes both ways until either side ends; the slower side holds the faster back.
function join(overlay: NoiseSecretStream, tcp: Socket): void {
  tcp.on('data', (d: Buffer) => {
    if (!overlay.write(d)) {
      tcp.pause();
      overlay.once('drain', () => tcp.resume());
    }
  });
  overlay.on('data', (d: Buffer) => {
    if (!tcp.write(d)) {
      overlay.pause();
      tcp.once('drain', () => overlay.resume());
    }
  });
  // An end goes across and the side it reaches flushes what it holds first; a close without
  // one (an error, a reset) cuts the other side too.
  let overlayEnded = false;
  overlay.on('end', () => tcp.end());
  tcp.on('end', () => {
    overlayEnded = true;
    overlay.end();
  });
  overlay.on('error', () => tcp.destroy());
  overlay.on('close', () => {
    if (!tcp.writableEnded) tcp.destroy();
  });
  tcp.on('error', () => overlay.destroy());
  tcp.on('close', () => {
    if (!overlayEnded) overlay.destroy();
  });
}

async function main(argv: string[]): Promise<void> {
  const [role, list, arg] = argv;
  const usage = 'usage: bare-pipe.ts serve|visit 127.0.0.1:<port>[,...] <port|key>';
  const node = testnetDht(list, usage);
  if (!arg) throw new Error(usage);
  if (role === 'serve') {
    const port = Number(arg);
    const keyPair = DHT.keyPair(randomBytes(32));
    const server = node.createServer((overlay) => join(overlay, connect({ host: '127.0.0.1', port })));
    await server.listen(keyPair);
    console.log(`key ${keyPair.publicKey.toString('hex')}`);
  } else if (role === 'visit') {
    const key = Buffer.from(arg, 'hex');
    const listener = createServer((tcp) => join(node.connect(key), tcp));
    listener.listen(0, '127.0.0.1', () => {
      const address = listener.address();
      if (address && typeof address === 'object') console.log(`port ${address.port}`);
    });
  } else {
    throw new Error(`unknown role ${role}`);
  }
}

runScript(() => main(process.argv.slice(2)));
