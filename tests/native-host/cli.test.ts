import { describe, expect, it } from 'vitest';
import { UsageError, commandUsage, parseCommandLine } from '../../native-host/cli';
import { startStaexStandin } from '../../testkit/network/staex';
import { cliOutput, tempDir } from '../../testkit/processes';

// The command line of `copybara-host` (node:util parseArgs, strict): what each command
// accepts, and the words and exit status 2 for what it does not.

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`${argv.join(' ')} parsed`);
}

describe('parseCommandLine', () => {
  it('finds the command, its options and the global ones before or after it', () => {
    const a = parseCommandLine(['--profile', '/p', 'link', '--name=bob.azero', '--expires', '600']);
    expect(a).toMatchObject({ command: 'link', help: false, operands: [] });
    expect(Object.fromEntries(a.flags)).toEqual({ profile: '/p', name: 'bob.azero', expires: '600' });
    expect(parseCommandLine(['id', '--bootstrap', '127.0.0.1:1']).flags.get('bootstrap')).toBe('127.0.0.1:1');
    expect(parseCommandLine([])).toMatchObject({ command: undefined, help: false });
  });

  it('joins repeated and comma-separated --endpoint values in order', () => {
    const a = parseCommandLine(['resolve', 'bob.azero', '--endpoint', 'ws://a,ws://b', '--endpoint=ws://c', '--endpoint', 'ws://d']);
    expect(a.operands).toEqual(['bob.azero']);
    expect(a.flags.get('endpoint')).toBe('ws://a,ws://b,ws://c,ws://d');
    expect(parseCommandLine(['resolve', 'bob.azero']).flags.has('endpoint')).toBe(false);
  });

  it('takes the last value of an option given twice', () => {
    expect(parseCommandLine(['link', '--name', 'a.azero', '--name', 'b.azero']).flags.get('name')).toBe('b.azero');
  });

  it('reads --help and -h for the whole tool and for one command', () => {
    expect(parseCommandLine(['--help'])).toMatchObject({ command: undefined, help: true });
    expect(parseCommandLine(['resolve', '-h'])).toMatchObject({ command: 'resolve', help: true });
    expect(commandUsage('resolve')).toMatch(/^Usage: copybara-host resolve NAME \[options\]\n\n {2}resolve NAME/);
    expect(commandUsage('resolve')).toContain('--endpoint URL');
    expect(commandUsage('resolve')).not.toContain('--link-host');
    expect(commandUsage('link')).toContain('Options for every command:');
  });

  it('lets a browser pass its arguments to the bridge', () => {
    const a = parseCommandLine(['bridge', 'chrome-extension://abc/', '--parent-window=0']);
    expect(a).toMatchObject({ command: 'bridge', operands: ['chrome-extension://abc/'] });
    expect(parseCommandLine(['bridge', '/path/manifest.json', 'copybara@example']).operands).toHaveLength(2);
  });

  it('refuses unknown options, naming them', () => {
    expect(usageError(['id', '--frob'])).toBe('unknown option --frob for id (see copybara-host id --help)');
    expect(usageError(['--frob=1', 'status'])).toBe('unknown option --frob for status (see copybara-host status --help)');
    expect(usageError(['link', '-x'])).toBe('unknown option -x for link (see copybara-host link --help)');
    expect(usageError(['--frob'])).toBe('unknown option --frob (see copybara-host --help)');
    // Another command's option.
    expect(usageError(['link', '--endpoint', 'ws://a'])).toBe('link does not take --endpoint (see copybara-host link --help)');
    expect(usageError(['--help=yes'])).toBe('--help does not take a value');
  });

  it('refuses an option without its value', () => {
    expect(usageError(['resolve', 'bob.azero', '--endpoint'])).toBe('--endpoint needs a value');
    expect(usageError(['link', '--name'])).toBe('--name needs a value');
    expect(usageError(['link', '--check', '--name', 'x'])).toBe(
      '--check needs a value (for one that starts with "-", write --check=--name)',
    );
    expect(parseCommandLine(['link', '--check=-x']).flags.get('check')).toBe('-x');
  });

  it('refuses arguments a command does not take', () => {
    expect(usageError(['resolve', 'a.azero', 'b.azero'])).toBe('unexpected argument "b.azero" for resolve');
    expect(usageError(['status', 'now'])).toBe('unexpected argument "now" for status');
  });

  it('leaves an unknown command to be reported as one', () => {
    expect(parseCommandLine(['frob', '--whatever'])).toMatchObject({ command: 'frob', operands: [] });
  });
});

describe('copybara-host command line', { timeout: 60_000 }, () => {
  it('exits 2 with the message for a bad option, a missing value and a stray argument', async () => {
    const bad = await cliOutput(['status', '--frob']);
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: 'copybara-host: unknown option --frob for status (see copybara-host status --help)\n',
    });
    const missing = await cliOutput(['resolve', 'bob.azero', '--endpoint']);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'copybara-host: --endpoint needs a value\n' });
    const stray = await cliOutput(['id', 'extra']);
    expect(stray).toMatchObject({ code: 2, stderr: 'copybara-host: unexpected argument "extra" for id\n' });
  });

  it('testnet --host takes only an IPv4 address', async () => {
    for (const host of ['10.77.0.300', 'localhost', '::1', '10.77.0', '']) {
      const out = await cliOutput(['testnet', `--host=${host}`]);
      expect(out).toEqual({
        code: 2,
        stdout: '',
        stderr: `copybara-host: --host takes an IPv4 address such as 10.77.0.2, not "${host}"\n`,
      });
    }
  });

  it('prints the usage: all of it, or one command', async () => {
    const all = await cliOutput(['--help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /^copybara-host: the Copybara local node\n\nUsage: copybara-host <command> \[options\]\n\nCommands:\n {2}id /,
    );
    for (const c of ['install', 'node', 'status', 'stop', 'link --check LINK', 'testnet [--size N]', 'bridge', 'resolve NAME']) {
      expect(all.stdout).toContain(`\n  ${c} `);
    }
    const none = await cliOutput([]);
    expect(none).toMatchObject({ code: 2, stdout: all.stdout });
    const link = await cliOutput(['link', '--help']);
    expect(link.code).toBe(0);
    expect(link.stdout).toMatch(/^Usage: copybara-host link \[options\]\n/);
    expect((await cliOutput(['help', 'link'])).stdout).toBe(link.stdout);
    const unknown = await cliOutput(['frob']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^copybara-host: unknown command "frob"\n\ncopybara-host: the Copybara local node/);
  });
});

describe('id and the Staex network', () => {
  it('prints the node id, then the Staex id when mcc answers (here the mcc stand-in)', async () => {
    const dir = await tempDir('id');
    const standin = await startStaexStandin();
    try {
      const node = await standin.add();
      const out = await cliOutput(['id', '--profile', dir.path], 20_000, { COPYBARA_MCC: node.command.join(' ') });
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(new RegExp(`^[0-9a-z]{52}\nstaex ${node.staexId}\n$`));
      expect(out.stderr).toBe('');
    } finally {
      await standin.destroy();
      await dir.remove();
    }
  });

  it('without mcc prints the node id alone, and says on stderr why Staex is unavailable and what to do', async () => {
    const dir = await tempDir('id');
    try {
      const out = await cliOutput(['id', '--profile', dir.path, '--mcc', `${dir.path}/no-mcc`]);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^[0-9a-z]{52}\n$/);
      expect(out.stderr).toMatch(/^staex: not available: `.*no-mcc id` was not found\. Install mcc-public/);
      const off = await cliOutput(['id', '--profile', dir.path], 20_000, { COPYBARA_MCC: 'off' });
      expect(off).toMatchObject({ code: 0, stderr: '' });
    } finally {
      await dir.remove();
    }
  });

  it('refuses a Staex port or network it cannot use', async () => {
    const port = await cliOutput(['node', '--staex-port', '70000']);
    expect(port).toMatchObject({ code: 2, stderr: 'copybara-host: --staex-port takes a port number from 1 to 65535, not "70000"\n' });
    const address = await cliOutput(['node', '--staex-address', 'fd00::1']);
    expect(address).toMatchObject({
      code: 2,
      stderr: 'copybara-host: --staex-address takes this machine\'s Staex IPv4 address such as 10.0.0.2, not "fd00::1"\n',
    });
    const network = await cliOutput(['node', '--network', 'tor']);
    expect(network).toMatchObject({ code: 2, stderr: 'copybara-host: --network is hyperdht or staex, not "tor"\n' });
  });
});
