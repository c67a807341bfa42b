// Runs one job as a child process in its own process group: argv (no shell), stdout and stderr to files,
// RSS watched against the memory request (over it -> the group is killed and the result says out-of-memory),
// cancellation kills the group. The child is started under a parent-death signal (setpriv --pdeathsig KILL, where
// util-linux has it), so it dies with the process that started it; the rest of its group is the job registry's
// (jobGroups.ts). The payload itself starts only behind a gate (GATE) that waits until the group is registered, so
// that no job can outlive an executor that died between spawning it and registering it. Pure Node: no Temporal here.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { createWriteStreamUnder } from '../core/files/confined.js';
import { watchProcessGroup } from './procMonitor.js';
import { parentDeathPrefix, resolveCommand } from './parentDeath.js';

export interface ProcessSpec {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdoutPath: string;
  stderrPath: string;
  /** The directory the log files must stay under (default: cwd, the run's submit directory). */
  root?: string;
  /** Kill the job when its process group's RSS goes above this many MiB (undefined: no limit). */
  memoryLimitMb?: number;
  walltimeSeconds?: number;
  signal?: AbortSignal;
  /** Called synchronously right after the process started, with its pid (= its process group id). */
  onSpawn?: (pid: number) => void;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  oom: boolean;
  timedOut: boolean;
  cancelled: boolean;
  peakRssMb: number;
  seconds: number;
  spawnError?: string;
}

/**
 * The gate every job starts through (sh, exec'd by setpriv after it armed the parent-death signal, in the job's own
 * process group): it runs the payload only if the executor that spawned it (pid $1) is still its parent once the
 * parent-death signal is armed (an executor dead before that would never send it), and only after the executor says
 * `go` on fd 3, which it does once the job's group is in its registry (an executor dead between spawn and
 * registration closes fd 3 unsaid). Either way a payload runs only when the executor's death will kill its whole
 * group: the first process by the parent-death signal, the rest by the registry's watchdog. The gate then closes
 * fd 3 and execs the payload in place (same pid, same group, parent-death signal kept).
 */
const GATE = `[ "$PPID" = "$1" ] || exit 125
IFS= read -r go <&3 || exit 125
[ "$go" = go ] || exit 125
exec 3<&-
shift
exec "$@"`;

function openLogs(spec: ProcessSpec) {
  const root = spec.root ?? spec.cwd;
  const out = createWriteStreamUnder(root, spec.stdoutPath);
  try {
    return { out, err: spec.stderrPath === spec.stdoutPath ? out : createWriteStreamUnder(root, spec.stderrPath) };
  } catch (e) {
    out.destroy();
    throw e;
  }
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    /* already gone */
  }
}

export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    // stdout and stderr may go to one file (e.g. quantumGraphGeneration.out). A log that would land outside the
    // root (a symlink pointing out) is refused before anything starts: the job cannot start (a misfit, not retried).
    let logs: ReturnType<typeof openLogs>;
    try {
      logs = openLogs(spec);
    } catch (e) {
      resolve({ exitCode: null, signal: null, oom: false, timedOut: false, cancelled: false, peakRssMb: 0, seconds: 0, spawnError: `cannot open its log: ${(e as Error).message}` });
      return;
    }
    const { out, err } = logs;
    let peak = 0;
    let oom = false;
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    // Under the gate a missing command would only show as the gate's exit code: it is looked up first, as exec
    // would, and one not found is spawned bare, so that Node reports it (MISFIT) as before.
    const gated = resolveCommand(spec.argv[0], spec.env.PATH, spec.cwd) !== undefined;
    const argv = gated ? [...parentDeathPrefix(), '/bin/sh', '-c', GATE, 'tbps-job', String(process.pid), ...spec.argv] : spec.argv;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // own process group, so the whole tree is measured and killed together
      stdio: gated ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    });
    let registerError: string | undefined;
    try {
      if (child.pid) spec.onSpawn?.(child.pid);
    } catch (e) {
      registerError = `could not register the job: ${(e as Error).message}`;
    }
    // Registered (onSpawn): now the payload may start. Had this process died before this line, the gate would have
    // read end of file (or been killed by its parent-death signal) and never run the payload; unregistered, it
    // reads end of file now and exits.
    const gate = gated ? (child.stdio[3] as Writable | null) : null;
    if (gate) {
      gate.on('error', () => {}); // the gate already gone (killed): its exit is reported by 'close'
      if (registerError) gate.destroy();
      else gate.end('go\n');
    }
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(err, { end: false });

    const stopWatch = child.pid
      ? watchProcessGroup(child.pid, (rss) => {
          peak = Math.max(peak, rss);
          if (spec.memoryLimitMb !== undefined && rss > spec.memoryLimitMb && !oom) {
            oom = true;
            killGroup(child.pid, 'SIGKILL');
          }
        })
      : () => {};
    const wall = spec.walltimeSeconds
      ? setTimeout(() => {
          timedOut = true;
          killGroup(child.pid, 'SIGKILL');
        }, spec.walltimeSeconds * 1000)
      : undefined;
    const onAbort = () => {
      cancelled = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000).unref();
    };
    // Cancelled before the process started (while its attempt was being recorded): stopped at once.
    if (spec.signal?.aborted) onAbort();
    else spec.signal?.addEventListener('abort', onAbort);

    const finish = (r: Omit<ProcessResult, 'peakRssMb' | 'seconds' | 'oom' | 'timedOut' | 'cancelled'>) => {
      if (settled) return;
      settled = true;
      stopWatch();
      if (wall) clearTimeout(wall);
      spec.signal?.removeEventListener('abort', onAbort);
      // Leave no stray processes of the job behind.
      killGroup(child.pid, 'SIGKILL');
      const streams = err === out ? [out] : [out, err];
      let pending = streams.length;
      const done = () => {
        if (--pending === 0)
          resolve({ ...r, oom, timedOut, cancelled, peakRssMb: Math.round(peak), seconds: (Date.now() - t0) / 1000 });
      };
      for (const s of streams) s.end(done);
    };
    child.on('error', (e) => {
      err.write(`tbps: could not start ${spec.argv[0]}: ${e.message}\n`);
      finish({ exitCode: null, signal: null, spawnError: e.message });
    });
    child.on('close', (code, sig) => finish(registerError ? { exitCode: null, signal: null, spawnError: registerError } : { exitCode: code, signal: sig }));
  });
}
