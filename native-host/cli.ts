import { isIPv4 } from 'node:net';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { toErrorInfo } from '../lib/errors';
import type { Browser } from './commands/install';
import { type HostPort, parseBootstrap } from './common/bootstrap';
import { createLog, openLogFile } from './common/log';
import { requestOnce } from './common/node-client';
import { defaultProfileDir, ensureProfile, profileAt } from './common/profile';

// Commands load their modules on demand: the bridge, which a browser waits for, must not pay
// for loading the network stack it never uses.
const BROWSERS: readonly Browser[] = ['chromium', 'chrome', 'firefox'];

// Every command: its options beyond the global ones, its lines in the usage text, and how
// many arguments it takes after its name.
interface CommandSpec {
  options: Record<string, { type: 'string'; multiple?: boolean } | { type: 'boolean' }>;
  usage: string;
  // Arguments after the command: `resolve` takes the name; a browser starts `bridge` with the
  // caller's origin (Firefox: the manifest path and the extension id) as arguments.
  operands: { max: number; usage?: string };
}

const COMMANDS: Record<string, CommandSpec> = {
  id: {
    options: { mcc: { type: 'string' } },
    usage: `  id                  print this profile's node id (creates the identity on first use); then,
                      when mcc-public answers, "staex ID" with this machine's Staex node id
                        --mcc COMMAND         how to run mcc (default $COPYBARA_MCC, else mcc)
`,
    operands: { max: 0 },
  },
  install: {
    options: { 'user-data-dir': { type: 'string' }, browser: { type: 'string' }, mcc: { type: 'string' } },
    usage: `  install             write the native-messaging host manifest for chromium, chrome and firefox
                        --user-data-dir DIR   only for the Chromium profile in DIR
                        --browser NAME        only for chromium, chrome or firefox
                        --mcc COMMAND         how the node the browser starts runs Staex's mcc
                                              (e.g. "docker exec mcc mcc"; default $COPYBARA_MCC)
`,
    operands: { max: 0 },
  },
  node: {
    options: {
      'idle-exit': { type: 'string' },
      'log-file': { type: 'string' },
      relay: { type: 'string' },
      direct: { type: 'boolean' },
      network: { type: 'string' },
      mcc: { type: 'string' },
      'staex-port': { type: 'string' },
      endpoint: { type: 'string', multiple: true },
      'staex-address': { type: 'string' },
    },
    usage: `  node                run the node in the foreground
                        --idle-exit SECONDS   stop when no browser was attached for that long
                        --log-file FILE       log to FILE instead of stderr, kept under 1 MiB
                                              (the MiB before is in FILE.1)
                        --relay KEY[,KEY…]    relays to prefer (as \`relay\` prints them); by
                                              default private mode uses relays found on the DHT
                        --direct              leave private mode: connect directly (holepunched),
                                              so peers and strangers learn this node's address
                        --network NAME        hyperdht (default) or staex: the network calls take
                                              when the callee's name has both records
                                              ($COPYBARA_NETWORK)
                        --mcc COMMAND         how to run Staex's mcc, e.g. "docker exec mcc mcc"
                                              (default $COPYBARA_MCC, else mcc; "off": no Staex)
                        --staex-port PORT     the Copybara port on Staex addresses, the same on
                                              every node (default $COPYBARA_STAEX_PORT, else 47410)
                        --endpoint URL        the chain RPC endpoint the site proxy looks names
                                              up on (ws:// or wss://; repeat or comma-separate)
                        --staex-address IPV4  this machine's Staex address, for an mcc that does
                                              not resolve its own id ($COPYBARA_STAEX_ADDRESS)
`,
    operands: { max: 0 },
  },
  publish: {
    options: { list: { type: 'boolean' }, stop: { type: 'boolean' } },
    usage: `  publish PORT        publish the web server on 127.0.0.1:PORT as this node's site, reached
                      by visitors as http://NAME.azero (lasts across restarts)
  publish --list      say what this node publishes
  publish --stop      stop publishing
`,
    operands: { max: 1, usage: 'PORT' },
  },
  status: { options: {}, usage: `  status              print the running node's status as JSON\n`, operands: { max: 0 } },
  stop: { options: {}, usage: `  stop                stop the running node\n`, operands: { max: 0 } },
  link: {
    options: { name: { type: 'string' }, expires: { type: 'string' }, 'link-host': { type: 'string' }, check: { type: 'string' } },
    usage: `  link                print a fresh call link signed by this node
                        --name NAME           the name to claim in it
                        --expires SECONDS     lifetime (default 1 day, at most 7 days)
                        --link-host HOST      the link's web host (default copybara.network)
  link --check LINK   say what a link says; exit 0 only if it can be answered now
`,
    operands: { max: 0 },
  },
  relay: {
    options: { 'max-pairs': { type: 'string' }, 'max-pair-rate': { type: 'string' }, 'max-total-rate': { type: 'string' } },
    usage: `  relay               run a blind relay for others' private-mode calls; prints its key
                        --max-pairs N         pairs carried at once (default 32); sees no content
                        --max-pair-rate RATE  bytes per second one pair may carry each way
                                              (default 2MB, the least nodes count on); a
                                              pair that keeps going over it is cut
                        --max-total-rate RATE bytes per second for all pairs together
                                              (default 50MB); over it, the busiest pair is cut
                                              RATE: bytes, or with kB, MB, GB (powers of 1000)
`,
    operands: { max: 0 },
  },
  testnet: {
    options: { size: { type: 'string' }, host: { type: 'string' }, relays: { type: 'string' } },
    usage: `  testnet [--size N]  run HyperDHT bootstrap nodes (default 3) and blind relays; prints
                      host:port,… first, then each relay's key
                        --host IPV4           the address they listen on and print
                                              (default 127.0.0.1)
                        --relays N            relays to run, 0 to 4 (default 1)
`,
    operands: { max: 0 },
  },
  bridge: {
    // Chrome on Windows also passes --parent-window=HANDLE; it means nothing to us.
    options: { 'parent-window': { type: 'string' } },
    usage: `  bridge              the native-messaging host itself (browsers start it)\n`,
    operands: { max: Infinity },
  },
  resolve: {
    options: { endpoint: { type: 'string', multiple: true } },
    usage: `  resolve NAME        print the node id(s) an AZERO.ID name (bob.azero, bob.a0, bob.tzero)
                      points to; answers are cached in the profile folder
                        --endpoint URL        the chain's RPC endpoint (ws:// or wss://);
                                              repeat or comma-separate for fallbacks
                                              (default wss://ws.azero.dev, or
                                              wss://ws.test.azero.dev for .tzero)
                      exit status: 0 found, 1 lookup failed, 2 unusable name or endpoint
`,
    operands: { max: 1, usage: 'NAME' },
  },
};

const GLOBAL_OPTIONS = {
  profile: { type: 'string' },
  bootstrap: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_USAGE = `Options for every command:
  --profile DIR       profile folder (default $COPYBARA_PROFILE, else ~/.config/copybara)
  --bootstrap LIST    HyperDHT bootstrap nodes, host:port[,host:port…]
                      (default $COPYBARA_BOOTSTRAP, else HyperDHT's public nodes)
`;

const USAGE = `copybara-host: the Copybara local node

Usage: copybara-host <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('')}
${GLOBAL_USAGE}`;

export function commandUsage(command: string): string {
  const spec = COMMANDS[command];
  if (!spec) return USAGE;
  const operand = spec.operands.usage ? ` ${spec.operands.usage}` : '';
  return `Usage: copybara-host ${command}${operand} [options]\n\n${spec.usage}\n${GLOBAL_USAGE}`;
}

// The path of the executable the user ran (bin/copybara-host.js), which starts the node and
// which launchers point at; set by run().
let CLI_PATH = '';

// A command line that cannot be run as written: the message goes to stderr, exit status 2.
export class UsageError extends Error {}

export interface Args {
  command: string | undefined;
  help: boolean;
  // Option values by name (without the dashes); repeated --endpoint values joined with commas.
  flags: Map<string, string>;
  // Arguments after the command: the name for `resolve`, the browser's for `bridge`.
  operands: string[];
}

// Every option any command knows, for the first, forgiving pass that finds the command.
const ALL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...GLOBAL_OPTIONS,
  ...Object.fromEntries(Object.values(COMMANDS).flatMap((c) => Object.entries(c.options))),
};

// Options may come before or after the command (`--profile DIR id`, `id --profile DIR`).
// A first pass that accepts anything finds the command; its tokens give a precise message for
// whatever is wrong; the second, strict pass (only the global options and the command's own)
// gives the values.
export function parseCommandLine(argv: string[]): Args {
  const { tokens } = parseArgs({ args: argv, options: ALL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const command = tokens.find((t) => t.kind === 'positional')?.value;
  const spec = command === undefined ? undefined : COMMANDS[command];
  // An unknown command is reported as such by main(), whatever its options.
  if (command !== undefined && command !== 'help' && !spec) return { command, help: false, flags: new Map(), operands: [] };
  const options: NonNullable<ParseArgsConfig['options']> = { ...GLOBAL_OPTIONS, ...spec?.options };
  const forCommand = spec ? ` for ${command}` : '';
  const seeHelp = spec ? `copybara-host ${command} --help` : 'copybara-host --help';
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const known = options[t.name];
    // parseArgs names an unknown `-xyz` after its first letter; report what was typed.
    const typed = t.rawName.startsWith('--') ? t.rawName : argv[t.index]!;
    if (!known) {
      const what =
        spec && ALL_OPTIONS[t.name] && t.rawName.startsWith('--')
          ? `${command} does not take ${t.rawName}`
          : `unknown option ${typed}${forCommand}`;
      throw new UsageError(`${what} (see ${seeHelp})`);
    }
    if (known.type === 'string' && t.value === undefined) throw new UsageError(`${t.rawName} needs a value`);
    if (known.type === 'string' && !t.inlineValue && t.value?.startsWith('-')) {
      throw new UsageError(`${t.rawName} needs a value (for one that starts with "-", write ${t.rawName}=${t.value})`);
    }
    if (known.type === 'boolean' && t.inlineValue) throw new UsageError(`${t.rawName} does not take a value`);
  }
  let values: ReturnType<typeof parseArgs>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true }));
  } catch (err) {
    // Whatever the token check above let through; parseArgs's own words, first line.
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see ${seeHelp})`);
  }
  const operands = positionals.slice(1);
  if (spec && operands.length > spec.operands.max)
    throw new UsageError(`unexpected argument "${operands[spec.operands.max]}"${forCommand}`);
  const flags = new Map<string, string>();
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') flags.set(name, value);
    else if (Array.isArray(value)) flags.set(name, value.join(','));
    else if (value === true) flags.set(name, '');
  }
  return { command, help: values.help === true, flags, operands };
}

function bootstrapFrom(flags: Map<string, string>): HostPort[] | null {
  const text = flags.get('bootstrap') ?? process.env.COPYBARA_BOOTSTRAP;
  return text ? parseBootstrap(text) : null;
}

// The Staex network's settings for `node` and `id`; null when turned off.
async function staexFrom(flags: Map<string, string>): Promise<{ command: string[]; port: number; address: string | null } | null> {
  const text = flags.get('mcc') ?? process.env.COPYBARA_MCC;
  if (text?.trim() === 'off') return null;
  const { mccCommand } = await import('./node/network/mcc');
  const { DEFAULT_STAEX_PORT } = await import('./node/network/staex');
  const portText = flags.get('staex-port') ?? process.env.COPYBARA_STAEX_PORT;
  const port = portText === undefined ? DEFAULT_STAEX_PORT : Number(portText);
  if (!/^\d+$/.test(portText ?? '1') || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--staex-port takes a port number from 1 to 65535, not "${portText}"`);
  const address = flags.get('staex-address') ?? process.env.COPYBARA_STAEX_ADDRESS ?? null;
  if (address !== null && (!isIPv4(address) || address.startsWith('0.')))
    throw new UsageError(`--staex-address takes this machine's Staex IPv4 address such as 10.0.0.2, not "${address}"`);
  return { command: mccCommand(text), port, address };
}

function networkFrom(flags: Map<string, string>): 'hyperdht' | 'staex' {
  const name = flags.get('network') ?? process.env.COPYBARA_NETWORK ?? 'hyperdht';
  if (name !== 'hyperdht' && name !== 'staex') throw new UsageError(`--network is hyperdht or staex, not "${name}"`);
  return name;
}

function seconds(flags: Map<string, string>, name: string): number | null {
  const v = flags.get(name);
  if (v === undefined) return null;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} takes a whole number of seconds`);
  return Number(v);
}

async function main(argv: string[]): Promise<number> {
  const { command, help, flags, operands } = parseCommandLine(argv);
  if (command === 'help') {
    // `copybara-host help [COMMAND]`
    process.stdout.write(commandUsage(operands[0] ?? ''));
    return 0;
  }
  if (command === undefined) {
    process.stdout.write(USAGE);
    return help ? 0 : 2;
  }
  if (!COMMANDS[command]) {
    process.stderr.write(`copybara-host: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (help) {
    process.stdout.write(commandUsage(command));
    return 0;
  }
  const profile = profileAt(flags.get('profile') ?? defaultProfileDir());
  switch (command) {
    case 'id': {
      await ensureProfile(profile);
      const { loadIdentity } = await import('./node/identity');
      process.stdout.write(`${(await loadIdentity(profile)).nodeId}\n`);
      const staex = await staexFrom(flags);
      if (staex) {
        const { Mcc } = await import('./node/network/mcc');
        try {
          process.stdout.write(`staex ${await new Mcc({ command: staex.command }).id()}\n`);
        } catch (err) {
          const fix = (err as { fix?: unknown }).fix;
          process.stderr.write(`staex: not available: ${(err as Error).message}${typeof fix === 'string' && fix ? ` ${fix}` : ''}\n`);
        }
      }
      return 0;
    }
    case 'install': {
      const browser = flags.get('browser');
      if (browser !== undefined && !(BROWSERS as readonly string[]).includes(browser))
        throw new UsageError(`--browser is one of ${BROWSERS.join(', ')}`);
      const { install, installedBrowsers } = await import('./commands/install');
      const found = browser ? { browsers: [browser as Browser], detected: true } : installedBrowsers(BROWSERS);
      if (!found.detected) process.stdout.write(`no browser found on this computer: writing the manifests of ${BROWSERS.join(', ')}\n`);
      const files = await install({
        profile,
        bootstrap: bootstrapFrom(flags),
        mcc: flags.get('mcc') ?? process.env.COPYBARA_MCC ?? null,
        cliPath: CLI_PATH,
        userDataDir: flags.get('user-data-dir') ?? null,
        browsers: found.browsers,
      });
      for (const f of files) process.stdout.write(`wrote ${f}\n`);
      return 0;
    }
    case 'node': {
      const idle = seconds(flags, 'idle-exit');
      const logFile = flags.get('log-file');
      const relayText = flags.get('relay');
      const direct = flags.has('direct');
      if (direct && relayText !== undefined) throw new UsageError('--direct and --relay exclude each other: relays are for private mode');
      let pinned: Buffer[] = [];
      if (relayText !== undefined) {
        const { parseRelayKeys } = await import('./commands/relay');
        try {
          pinned = parseRelayKeys(relayText);
        } catch (err) {
          throw new UsageError(`--relay: ${(err as Error).message} (relay keys as \`copybara-host relay\` prints them)`);
        }
      }
      const network = networkFrom(flags);
      const staex = await staexFrom(flags);
      const endpointText = flags.get('endpoint');
      const endpoints =
        endpointText === undefined
          ? null
          : endpointText
              .split(',')
              .map((e) => e.trim())
              .filter((e) => e !== '');
      if (endpoints !== null && endpoints.length === 0) throw new UsageError('--endpoint needs a ws:// or wss:// address');
      const { CopybaraNode } = await import('./node/node');
      const node = new CopybaraNode({
        relays: direct ? null : { pinned },
        staex,
        network,
        ...(endpoints ? { nameEndpoints: { azero: endpoints, tzero: endpoints } } : {}),
        profile,
        bootstrap: bootstrapFrom(flags),
        log: createLog(logFile === undefined ? process.stderr : openLogFile(logFile), 'node'),
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
        process.stdout.write(
          JSON.stringify({ running: true, ...((await requestOnce(profile.socketPath, 'status')) as object) }, null, 2) + '\n',
        );
        return 0;
      } catch {
        process.stdout.write(JSON.stringify({ running: false, profile: profile.dir }) + '\n');
        return 3;
      }
    }
    case 'publish': {
      const list = flags.has('list');
      const stopping = flags.has('stop');
      const portText = operands[0];
      if ([list, stopping, portText !== undefined].filter(Boolean).length !== 1)
        throw new UsageError('publish takes one of: a PORT, --list or --stop (see copybara-host publish --help)');
      const { parsePublishPort, runPublishSite } = await import('./commands/publish-site');
      let port = 0;
      if (portText !== undefined) {
        try {
          port = parsePublishPort(portText);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      await ensureProfile(profile);
      process.stdout.write(
        await runPublishSite(profile, list ? { kind: 'list' } : stopping ? { kind: 'stop' } : { kind: 'publish', port }),
      );
      return 0;
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
    case 'relay': {
      const maxPairs = Number(flags.get('max-pairs') ?? '32');
      if (!Number.isInteger(maxPairs) || maxPairs < 1 || maxPairs > 10_000)
        throw new UsageError('--max-pairs is a whole number from 1 to 10000');
      const { formatRelayKey, relayRateWarning, relayRates, runRelay } = await import('./commands/relay');
      const { DEFAULT_RELAY_LIMITS } = await import('./node/network/relay-server');
      let rates: { maxPairRate: number; maxTotalRate: number };
      try {
        rates = relayRates(flags.get('max-pair-rate'), flags.get('max-total-rate'), DEFAULT_RELAY_LIMITS);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const warning = relayRateWarning(rates.maxPairRate);
      if (warning) process.stderr.write(`${warning}\n`);
      const relay = await runRelay({
        profile,
        bootstrap: bootstrapFrom(flags),
        maxPairs,
        ...rates,
        log: createLog(process.stderr, 'relay'),
      });
      process.stdout.write(`relay key: ${formatRelayKey(relay.publicKey)}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await relay.close();
      return 0;
    }
    case 'testnet': {
      const size = Number(flags.get('size') ?? '3');
      if (!Number.isInteger(size) || size < 1 || size > 50) throw new UsageError('--size is a whole number from 1 to 50');
      const host = flags.get('host') ?? '127.0.0.1';
      if (!isIPv4(host)) throw new UsageError(`--host takes an IPv4 address such as 10.77.0.2, not "${host}"`);
      const { runTestnet } = await import('./commands/testnet');
      const relays = Number(flags.get('relays') ?? '1');
      if (!Number.isInteger(relays) || relays < 0 || relays > 4) throw new UsageError('--relays is a whole number from 0 to 4');
      const destroy = await runTestnet({ size, host, relays, out: process.stdout, log: createLog(process.stderr, 'testnet') });
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
      if (err instanceof UsageError) {
        process.stderr.write(`copybara-host: ${err.message}\n`);
        process.exit(2);
      }
      const info = toErrorInfo(err);
      process.stderr.write(`copybara-host: ${info.code === 'INTERNAL' ? '' : `${info.code}: `}${info.message}\n`);
      process.exit(1);
    },
  );
}
