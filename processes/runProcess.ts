// Runs one job as a child process in its own process group: argv (no shell), stdout and stderr to files,
// RSS watched against the memory request (over it -> the group is killed and the result says out-of-memory),
// cancellation kills the group. The child is started under a parent-death signal (setpriv --pdeathsig KILL, where
// util-linux has it), so it dies with the process that started it; the rest of its group is the job registry's
// (jobGroups.ts). The payload itself starts only behind a gate (GATE) that waits until the group is registered, so
// that no job can outlive an executor that died between spawning it and registering it. The process is spawned
// directly, or by the executor's launcher (launcher.ts: a small process whose forks cost a fraction of the
// executor's). The launcher can register the job itself right after spawning it and kills its jobs when the executor
// dies: then the job runs bare (one exec, no gate or setpriv); else the launcher is the parent the gate checks.
// Pure Node: no Temporal here.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { createWriteStreamUnder, preparePathUnder } from '../core/files/confined.js';
import type { Launcher } from './launcher.js';
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
  /** Spawn through this launcher (the executor's) instead of from this process. */
  launcher?: Launcher;
  /**
   * With a launcher: it registers the job in this registry directory itself (these fields besides pgid, see
   * jobGroups.ts) and lets it run at once; onSpawn then only hears of it afterwards.
   */
  registerAs?: { dir: string; fields: Record<string, unknown> };
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
  return spec.launcher ? runByLauncher(spec, spec.launcher) : runDirectly(spec);
}

type Ended = Omit<ProcessResult, 'peakRssMb' | 'seconds' | 'oom' | 'timedOut' | 'cancelled'>;

/**
 * What both ways of starting share once the process runs: its memory watch, walltime and cancellation, and the
 * result. `started(pid)` when it runs; `end(...)` (once) stops the watches, kills what is left of the group and
 * gives the result.
 */
function supervise(spec: ProcessSpec, t0: number) {
  let pid: number | undefined;
  let peak = 0;
  let oom = false;
  let timedOut = false;
  let cancelled = false;
  let stopWatch = () => {};
  let wall: NodeJS.Timeout | undefined;
  const onAbort = () => {
    cancelled = true;
    killGroup(pid, 'SIGTERM');
    setTimeout(() => killGroup(pid, 'SIGKILL'), 5000).unref();
  };
  return {
    get cancelled() {
      return cancelled;
    },
    started(processId: number | undefined) {
      pid = processId;
      if (pid) {
        stopWatch = watchProcessGroup(pid, (rss) => {
          peak = Math.max(peak, rss);
          if (spec.memoryLimitMb !== undefined && rss > spec.memoryLimitMb && !oom) {
            oom = true;
            killGroup(pid, 'SIGKILL');
          }
        });
      }
      if (spec.walltimeSeconds) {
        wall = setTimeout(() => {
          timedOut = true;
          killGroup(pid, 'SIGKILL');
        }, spec.walltimeSeconds * 1000);
      }
      // Cancelled before the process started (while its attempt was being recorded): stopped at once.
      if (spec.signal?.aborted) onAbort();
      else spec.signal?.addEventListener('abort', onAbort);
    },
    end(r: Ended): ProcessResult {
      stopWatch();
      if (wall) clearTimeout(wall);
      spec.signal?.removeEventListener('abort', onAbort);
      // Leave no stray processes of the job behind.
      killGroup(pid, 'SIGKILL');
      return { ...r, oom, timedOut, cancelled, peakRssMb: Math.round(peak), seconds: (Date.now() - t0) / 1000 };
    },
  };
}

/** The argv that runs the job: behind the gate (parent `spawner`) when its command exists, else bare. */
function jobArgv(spec: ProcessSpec, spawner: number): { argv: string[]; gated: boolean } {
  // Under the gate a missing command would only show as the gate's exit code: it is looked up first, as exec
  // would, and one not found is spawned bare, so that Node reports it (MISFIT) as before.
  const gated = resolveCommand(spec.argv[0], spec.env.PATH, spec.cwd) !== undefined;
  return { gated, argv: gated ? [...parentDeathPrefix(), '/bin/sh', '-c', GATE, 'tbps-job', String(spawner), ...spec.argv] : spec.argv };
}

/** Registers the started process (onSpawn); an error there means its payload must not run. */
function register(spec: ProcessSpec, pid: number | undefined): string | undefined {
  try {
    if (pid) spec.onSpawn?.(pid);
    return undefined;
  } catch (e) {
    return `could not register the job: ${(e as Error).message}`;
  }
}

function runByLauncher(spec: ProcessSpec, launcher: Launcher): Promise<ProcessResult> {
  let t0 = Date.now();
  return new Promise((resolve) => {
    const failed = (message: string) =>
      resolve({ exitCode: null, signal: null, oom: false, timedOut: false, cancelled: false, peakRssMb: 0, seconds: (Date.now() - t0) / 1000, spawnError: message });
    // A log that would land outside the root (a symlink pointing out) is refused before anything starts.
    const root = spec.root ?? spec.cwd;
    let stdout: string;
    let stderr: string;
    try {
      stdout = preparePathUnder(root, spec.stdoutPath);
      stderr = spec.stderrPath === spec.stdoutPath ? stdout : preparePathUnder(root, spec.stderrPath);
    } catch (e) {
      failed(`cannot open its log: ${(e as Error).message}`);
      return;
    }
    let registerError: string | undefined;
    launcher
      .pid()
      .then((spawner) => {
        // The job's time starts when it is handed to the launcher (not while a new launcher starts up).
        t0 = Date.now();
        const watch = supervise(spec, t0);
        // Registered by the launcher itself: no gate (the launcher kills its jobs if the executor dies), one exec.
        const { argv, gated } = spec.registerAs ? { argv: spec.argv, gated: false } : jobArgv(spec, spawner);
        return launcher.launch(
          { argv, cwd: spec.cwd, env: spec.env, stdout, stderr, gated, registerAs: spec.registerAs },
          {
            onSpawn: (pid, launcherRegisterError) => {
              registerError = launcherRegisterError ? `could not register the job: ${launcherRegisterError}` : undefined;
              const ownError = register(spec, pid);
              if (!spec.registerAs) registerError = ownError;
              watch.started(pid);
              // Registered: now the payload may start; unregistered (or cancelled meanwhile), it exits unrun.
              return registerError === undefined && !watch.cancelled;
            },
            onError: (message) => resolve(watch.end({ exitCode: null, signal: null, spawnError: message })),
            onExit: (code, signal, seconds) => {
              const result = watch.end(registerError ? { exitCode: null, signal: null, spawnError: registerError } : { exitCode: code, signal });
              resolve(seconds === undefined ? result : { ...result, seconds });
            },
          },
        );
      })
      .catch((e) => failed(`could not start the executor's launcher: ${(e as Error).message}`));
  });
}

function runDirectly(spec: ProcessSpec): Promise<ProcessResult> {
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
    let settled = false;
    const { argv, gated } = jobArgv(spec, process.pid);
    const child = spawn(argv[0], argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      detached: true, // own process group, so the whole tree is measured and killed together
      stdio: gated ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    });
    const registerError = register(spec, child.pid);
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
    const watch = supervise(spec, t0);
    watch.started(child.pid);

    const finish = (r: Ended) => {
      if (settled) return;
      settled = true;
      const result = watch.end(r);
      const streams = err === out ? [out] : [out, err];
      let pending = streams.length;
      const done = () => {
        if (--pending === 0) resolve({ ...result, seconds: (Date.now() - t0) / 1000 });
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
