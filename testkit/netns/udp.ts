import { type Proc, startProcess, waitForLine } from '../processes';

// A UDP peer for checking what a lab's NATs do, run with `node` inside a namespace: it binds
// the given ports, prints `bound` once all are, prints `got LOCALPORT FROMADDR:FROMPORT TEXT`
// for every datagram, answers each with `seen FROMADDR:FROMPORT` when started with --echo,
// and sends on command: a stdin line `send LOCALPORT HOST PORT TEXT` sends TEXT from its
// socket on LOCALPORT.
const SCRIPT = `
const dgram = require('node:dgram');
const readline = require('node:readline');
const args = process.argv.slice(1);
const echo = args.includes('--echo');
const sockets = new Map();
let pending = 0;
for (const p of args.filter((a) => /^\\d+$/.test(a)).map(Number)) {
  const s = dgram.createSocket('udp4');
  s.on('message', (msg, r) => {
    console.log('got ' + p + ' ' + r.address + ':' + r.port + ' ' + msg.toString());
    if (echo) s.send('seen ' + r.address + ':' + r.port, r.port, r.address);
  });
  pending++;
  s.bind(p, () => { if (--pending === 0) console.log('bound'); });
  sockets.set(p, s);
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, from, host, port, ...text] = line.split(' ');
  if (cmd === 'send') sockets.get(Number(from)).send(text.join(' '), Number(port), host);
});
process.stdin.on('end', () => process.exit(0));
`;

export interface Datagram {
  localPort: number;
  from: string;
  text: string;
}

export class UdpPeer {
  private constructor(private readonly _proc: Proc) {}

  static async start(netns: string, ports: number[], opts: { echo?: boolean; name?: string } = {}): Promise<UdpPeer> {
    const args = ['-e', SCRIPT, ...ports.map(String), ...(opts.echo ? ['--echo'] : [])];
    const proc = startProcess(process.execPath, args, { netns, stdin: true, name: opts.name ?? 'udp' });
    await waitForLine(proc, /^bound$/, 10_000, `UDP peer on ports ${ports.join(',')} in ${netns}`);
    return new UdpPeer(proc);
  }

  send(fromPort: number, host: string, port: number, text: string): void {
    this._proc.child.stdin?.write(`send ${fromPort} ${host} ${port} ${text}\n`);
  }

  received(): Datagram[] {
    return this._proc.output.flatMap((line) => {
      const m = /^got (\d+) (\S+) (.*)$/.exec(line);
      return m ? [{ localPort: Number(m[1]), from: m[2]!, text: m[3]! }] : [];
    });
  }

  // The first datagram `match` accepts, resending with `resend` every 200 ms (UDP may drop
  // the first one while ARP resolves); null when none arrived within `timeoutMs`.
  async waitFor(match: (d: Datagram) => boolean, timeoutMs: number, resend?: () => void): Promise<Datagram | null> {
    const deadline = Date.now() + timeoutMs;
    let next = 0;
    while (Date.now() < deadline) {
      const hit = this.received().find(match);
      if (hit) return hit;
      if (resend && Date.now() >= next) {
        resend();
        next = Date.now() + 200;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }

  stop(): Promise<void> {
    this._proc.child.stdin?.end();
    return this._proc.stop();
  }
}
