import { toErrorInfo } from '../lib/errors';
import { type HostPort, parseBootstrap } from './common/bootstrap';
import { createLog } from './common/log';
import { requestOnce } from './common/node-client';
import { defaultProfileDir, ensureProfile, profileAt } from './common/profile';

// Commands load their modules on demand: the bridge, which a browser waits for, must not pay
// for loading the network stack it never uses.
const BROWSERS = ['chromium', 'chrome', 'firefox'] as const;
type Browser = (typeof BROWSERS)[number];

const USAGE = `copybara-host: the Copybara local node

Usage: copybara-host <command> [options]

Commands:
  id                  print this profile's node id (creates the identity on first use)
  install             write the native-messaging host manifest for chromium, chrome and firefox
                        --user-data-dir DIR   only for the Chromium profile in DIR
                        --browser NAME        only for chromium, chrome or firefox
  node                run the node in the foreground
                        --idle-exit SECONDS   stop when no browser was attached for that long
  status              print the running node's status as JSON
  stop                stop the running node
  link                print a fresh call link signed by this node
                        --name NAME           the name to claim in it
                        --expires SECONDS     lifetime (default 1 day, at most 7 days)
                        --link-host HOST      the link's web host (default copybara.network)
  link --check LINK   say what a link says; exit 0 only if it can be answered now
  testnet [--size N]  run HyperDHT bootstrap nodes on 127.0.0.1; prints host:port,… first
  bridge              the native-messaging host itself (browsers start it)
  resolve NAME        print the node id(s) an AZERO.ID name (bob.azero, bob.a0, bob.tzero)
                      points to; answers are cached in the profile folder
                        --endpoint URL        the chain's RPC endpoint (ws:// or wss://);
                                              repeat or comma-separate for fallbacks
                                              (default wss://ws.azero.dev, or
                                              wss://ws.test.azero.dev for .tzero)
                      exit status: 0 found, 1 lookup failed, 2 unusable name or endpoint

Options for every command:
  --profile DIR       profile folder (default $COPYBARA_PROFILE, else ~/.config/copybara)
  --bootstrap LIST    HyperDHT bootstrap nodes, host:port[,host:port…]
                      (default $COPYBARA_BOOTSTRAP, else HyperDHT's public nodes)
`;

// The path of the executable the user ran (bin/copybara-host.js), which starts the node and
// which launchers point at; set by run().
let CLI_PATH = '';

interface Args {
  command: string | undefined;
  flags: Map<string, string>;
  // Arguments after the command (only `resolve` takes one: the name).
  operands: string[];
}

const VALUE_FLAGS = new Set(['profile', 'bootstrap', 'user-data-dir', 'browser', 'idle-exit', 'size', 'name', 'expires', 'check', 'link-host', 'endpoint']);
// Flags that may be given more than once; their values are joined with commas.
const LIST_FLAGS = new Set(['endpoint']);

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string>();
  const operands: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') flags.set('help', '1');
    else if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!VALUE_FLAGS.has(name)) throw new Error(`unknown option --${name}`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      const previous = flags.get(name);
      flags.set(name, LIST_FLAGS.has(name) && previous !== undefined ? `${previous},${value}` : value);
    } else if (command === undefined) command = a;
    else if (command === 'resolve' && operands.length === 0) operands.push(a);
    // A browser passes the caller's origin (and on Windows a window handle) as arguments.
    else if (command !== 'bridge') throw new Error(`unexpected argument "${a}"`);
  }
  return { command, flags, operands };
}

function bootstrapFrom(flags: Map<string, string>): HostPort[] | null {
  const text = flags.get('bootstrap') ?? process.env.COPYBARA_BOOTSTRAP;
  return text ? parseBootstrap(text) : null;
}

function seconds(flags: Map<string, string>, name: string): number | null {
  const v = flags.get(name);
  if (v === undefined) return null;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} takes a whole number of seconds`);
  return Number(v);
}

async function main(argv: string[]): Promise<number> {
  const { command, flags, operands } = parseArgs(argv);
  if (flags.has('help') || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !flags.has('help') ? 2 : 0;
  }
  const profile = profileAt(flags.get('profile') ?? defaultProfileDir());
  switch (command) {
    case 'id': {
      await ensureProfile(profile);
      const { loadIdentity } = await import('./node/identity');
      process.stdout.write(`${(await loadIdentity(profile)).nodeId}\n`);
      return 0;
    }
    case 'install': {
      const browser = flags.get('browser');
      if (browser !== undefined && !(BROWSERS as readonly string[]).includes(browser)) throw new Error(`--browser is one of ${BROWSERS.join(', ')}`);
      const { install } = await import('./commands/install');
      const files = await install({
        profile,
        bootstrap: bootstrapFrom(flags),
        cliPath: CLI_PATH,
        userDataDir: flags.get('user-data-dir') ?? null,
        browsers: browser ? [browser as Browser] : [...BROWSERS],
      });
      for (const f of files) process.stdout.write(`wrote ${f}\n`);
      return 0;
    }
    case 'node': {
      const idle = seconds(flags, 'idle-exit');
      const { CopybaraNode } = await import('./node/node');
      const node = new CopybaraNode({
        profile,
        bootstrap: bootstrapFrom(flags),
        log: createLog(process.stderr, 'node'),
        idleExitMs: idle === null ? null : idle * 1000,
      });
      await node.start();
      const stop = () => void node.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await node.done;
      return 0;
    }
    case 'status': {
      try {
        process.stdout.write(JSON.stringify({ running: true, ...(await requestOnce(profile.socketPath, 'status') as object) }, null, 2) + '\n');
        return 0;
      } catch {
        process.stdout.write(JSON.stringify({ running: false, profile: profile.dir }) + '\n');
        return 3;
      }
    }
    case 'stop': {
      try {
        await requestOnce(profile.socketPath, 'shutdown');
        process.stdout.write('stopped\n');
      } catch {
        process.stdout.write('no node is running for this profile\n');
      }
      return 0;
    }
    case 'link': {
      const { describeLink, makeLink } = await import('./commands/link');
      const check = flags.get('check');
      if (check !== undefined) {
        const { ok, lines } = describeLink(check);
        process.stdout.write(lines.join('\n') + '\n');
        return ok ? 0 : 1;
      }
      const expires = seconds(flags, 'expires');
      process.stdout.write(
        (await makeLink(profile, { name: flags.get('name') ?? null, lifetimeS: expires, host: flags.get('link-host') ?? null })) + '\n',
      );
      return 0;
    }
    case 'testnet': {
      const size = Number(flags.get('size') ?? '3');
      if (!Number.isInteger(size) || size < 1 || size > 50) throw new Error('--size is a whole number from 1 to 50');
      const { runTestnet } = await import('./commands/testnet');
      const destroy = await runTestnet(size, process.stdout);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await destroy();
      return 0;
    }
    case 'bridge': {
      await ensureProfile(profile);
      const { runBridge } = await import('./bridge/bridge');
      return runBridge({
        profile,
        bootstrap: bootstrapFrom(flags),
        cliPath: CLI_PATH,
        input: process.stdin,
        output: process.stdout,
        log: createLog(process.stderr, 'bridge'),
      });
    }
    case 'resolve': {
      await ensureProfile(profile);
      const { runResolve } = await import('./commands/resolve');
      const abort = new AbortController();
      const cancel = () => abort.abort();
      process.once('SIGINT', cancel);
      process.once('SIGTERM', cancel);
      return runResolve({
        name: operands[0],
        endpoints: flags.get('endpoint') ?? null,
        profileDir: profile.dir,
        out: process.stdout,
        err: process.stderr,
        signal: abort.signal,
      });
    }
    default:
      process.stderr.write(`copybara-host: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

export function run(cliPath: string): void {
  CLI_PATH = cliPath;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      const info = toErrorInfo(err);
      process.stderr.write(`copybara-host: ${info.code === 'INTERNAL' ? '' : `${info.code}: `}${info.message}\n`);
      process.exit(1);
    },
  );
}
