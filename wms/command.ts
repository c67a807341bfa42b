// Running a workload system's commands (condor_*, sbatch, squeue, ...) through a configurable command prefix: an
// argument vector put before every command (e.g. `bash scripts/htcondor.sh exec` for the test pool in a chroot,
// `bash scripts/slurm.sh exec` for the test cluster's config; empty on a site where the commands are on PATH).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A prefix setting split like a shell would: whitespace, with '...' and "..." groups. */
export function parsePrefix(s: string | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** A command that failed: the message names the command line, the directory and what it printed. */
export class WmsCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly output: string,
    cwd: string,
  ) {
    super(`${argv.join(' ')} failed in ${cwd}: ${output.trim().slice(0, 2000)}`);
    this.name = 'WmsCommandError';
  }
}

export interface CommandOptions {
  cwd: string;
  /** Written to the command's standard input. */
  input?: string;
  timeoutMs?: number;
  /** The command's environment (default: this process's). */
  env?: Record<string, string | undefined>;
}

/** Runs `cmd args` through `prefix`; returns its standard output, throws WmsCommandError on a non-zero exit. */
export async function runPrefixed(prefix: readonly string[], cmd: string, args: readonly string[], o: CommandOptions): Promise<string> {
  const argv = [...prefix, cmd, ...args];
  try {
    const child = execFileAsync(argv[0], argv.slice(1), { cwd: o.cwd, env: o.env as NodeJS.ProcessEnv | undefined, maxBuffer: 64 << 20, timeout: o.timeoutMs ?? 300_000 });
    if (o.input !== undefined) child.child.stdin?.end(o.input);
    return (await child).stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new WmsCommandError(argv, e.stderr || e.stdout || e.message, o.cwd);
  }
}
