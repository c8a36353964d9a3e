import { execFile } from 'node:child_process';
import { MccError, parseMccId, parseMccResolve } from './mcc-output';

// Runs Staex's `mcc` command line. The command is configurable because mcc-public often
// runs in a container (`docker exec mcc mcc`); it is split on spaces and run without a
// shell, so nothing in it or in a peer's id is ever interpreted.

const DEFAULT_COMMAND = 'mcc';
// `mcc` answers from its local daemon; one that takes longer is stuck (a daemon that hangs,
// a container that is being restarted), and a call cannot wait for it.
const DEFAULT_TIMEOUT_MS = 5_000;
// Both answers are one short line; more is not mcc-public talking.
const MAX_OUTPUT = 64 * 1024;

export interface MccOptions {
  // The command and its leading arguments, e.g. ['docker', 'exec', 'mcc', 'mcc'].
  command: string[];
  timeoutMs?: number;
}

// The command from a flag or COPYBARA_MCC, else `mcc` on PATH.
export function mccCommand(configured: string | undefined): string[] {
  const words = (configured ?? '').split(/\s+/).filter((w) => w !== '');
  return words.length > 0 ? words : [DEFAULT_COMMAND];
}

export class Mcc {
  readonly command: string[];
  private _timeoutMs: number;

  constructor(opts: MccOptions) {
    if (opts.command.length === 0) throw new Error('the mcc command is empty');
    this.command = opts.command;
    this._timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  // This node's Staex id; throws MccError saying why mcc cannot be used.
  async id(): Promise<string> {
    return parseMccId(await this._run(['id']));
  }

  // A peer's node-local IPv4 address on the Staex network.
  async resolve(staexId: string): Promise<string> {
    return parseMccResolve(await this._run(['resolve', staexId]), staexId);
  }

  private _run(args: string[]): Promise<string> {
    const [file, ...lead] = this.command;
    const shown = [...this.command, args[0]].join(' ');
    return new Promise((resolve, reject) => {
      execFile(
        file!,
        [...lead, ...args],
        { timeout: this._timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8', windowsHide: true },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          reject(explainFailure(shown, err, stderr, this._timeoutMs));
        },
      );
    });
  }
}

interface ExecFailure extends Error {
  code?: string | number | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

const INSTALL = 'Install mcc-public from Staex, or set COPYBARA_MCC to the command that runs it (for a container: "docker exec mcc mcc").';
const START = 'Start mcc-public (for example "systemctl start mcc", or "docker start mcc" for the container).';
const PERMISSION = 'Run Copybara as a user allowed to use mcc (for a container: a member of the "docker" group).';

// Which availability state a failed run means, from how it failed and what it printed.
function explainFailure(shown: string, err: ExecFailure, stderr: string, timeoutMs: number): MccError {
  const said = stderr.trim().split(/\r?\n/)[0]?.slice(0, 160) ?? '';
  const tail = said ? `: ${said}` : '';
  if (err.code === 'ENOENT') return new MccError('not-installed', `\`${shown}\` was not found.`, INSTALL);
  if (err.code === 'EACCES') return new MccError('no-permission', `\`${shown}\` may not be run by this user.`, PERMISSION);
  if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new MccError('failed', `\`${shown}\` printed more than ${MAX_OUTPUT} bytes.`, 'Check COPYBARA_MCC.');
  }
  if (err.killed || err.signal === 'SIGKILL') {
    return new MccError('not-running', `\`${shown}\` did not answer within ${timeoutMs / 1000} s.`, START);
  }
  if (/permission denied|not permitted|access denied/i.test(stderr)) {
    return new MccError('no-permission', `\`${shown}\` was refused${tail}.`, PERMISSION);
  }
  if (
    /not running|connection refused|no such container|cannot connect|is the .* running|no such file or directory|not connected/i.test(
      stderr,
    )
  ) {
    return new MccError('not-running', `\`${shown}\` could not reach the mcc daemon${tail}.`, START);
  }
  // The shell's "command not found" when COPYBARA_MCC runs mcc inside a container without it.
  if (err.code === 127 || /executable file not found|command not found/i.test(stderr)) {
    return new MccError('not-installed', `\`${shown}\` found no mcc${tail}.`, INSTALL);
  }
  const status = typeof err.code === 'number' ? `exit status ${err.code}` : err.signal ? `signal ${err.signal}` : 'an error';
  return new MccError('failed', `\`${shown}\` failed with ${status}${tail}.`, 'Check that mcc-public works: run it by hand.');
}
