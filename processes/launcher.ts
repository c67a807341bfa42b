// The executor's side of its launcher (launcher-process.mjs): a small child process that spawns the jobs, because
// a fork costs in proportion to the memory of the process that forks, and the executor is large. One launcher per
// executor, started on first use under a parent-death signal (SIGUSR2: it then kills its jobs and exits, so they die
// with the executor). A launcher that dies is replaced on the next start; the jobs it ran are reported as killed
// (SIGKILL), and runProcess kills what is left of their groups. Environments go as changes to this process's own
// (the launcher inherited it), not whole, and the messages of one turn of the event loop go together (one write, one
// wake-up of the other side, for all the jobs started or ended meanwhile). Pure Node: no Temporal here.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentDeathPrefix } from './parentDeath.js';

const LAUNCHER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'launcher-process.mjs');

export interface LaunchRequest {
  /** The full argv to exec (parent-death prefix and gate included when gated). */
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Absolute log paths, already checked to lie under the run's directory (their directory exists). */
  stdout: string;
  stderr: string;
  /** The argv is runProcess's gate: it waits for `go` (or end of file) on fd 3. */
  gated: boolean;
  /**
   * Register the job in this registry directory as soon as it is spawned and let it run then, without waiting for
   * this process (jobGroups.ts's file format, with these fields besides pgid). Absent: onSpawn decides.
   */
  registerAs?: { dir: string; fields: Record<string, unknown> };
}

export interface LaunchHandlers {
  /**
   * The process started (pid = its process group id). Without registerAs, a gated one runs its payload when this
   * returns true (it is registered) and exits unrun when it returns false. With registerAs, the launcher registered
   * it already, or says why it could not (then it exits unrun).
   */
  onSpawn(pid: number, registerError?: string): boolean;
  /** It could not start (log not opened, command not found); nothing runs. */
  onError(message: string): void;
  /** It ended; `seconds` from its spawn to its end, as the launcher saw them (undefined: it was lost with it). */
  onExit(code: number | null, signal: NodeJS.Signals | null, seconds?: number): void;
}

type Message =
  | { type: 'ready'; pid: number }
  | { type: 'spawned'; id: number; pid: number; registerError?: string }
  | { type: 'error'; id: number; message: string }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null; seconds: number };

export class Launcher {
  private child?: ChildProcess;
  private readyPid?: Promise<number>;
  private nextId = 1;
  /** This process's environment when the launcher started: the launcher's own, to which job environments are changes. */
  private baseEnv: NodeJS.ProcessEnv = {};
  private readonly pending = new Map<number, LaunchHandlers & { decides: boolean; pid?: number }>();
  /** Messages to the launcher not sent yet: sent together at the end of this turn of the event loop. */
  private outbox?: { child: ChildProcess; messages: object[] };

  /** The launcher's pid (the jobs' parent, which the gate checks), starting it if needed. */
  pid(): Promise<number> {
    if (!this.readyPid) this.readyPid = this.startChild();
    return this.readyPid;
  }

  /** Starts one process; the handlers hear how it goes. Resolves once the request is sent. */
  async launch(request: LaunchRequest, handlers: LaunchHandlers): Promise<void> {
    await this.pid();
    const child = this.child!;
    const id = this.nextId++;
    this.pending.set(id, { ...handlers, decides: request.gated && !request.registerAs });
    this.refWhileBusy();
    this.post(child, { type: 'start', id, ...request, env: this.envChanges(request.env) });
  }

  private post(child: ChildProcess, message: object): void {
    if (this.outbox?.child === child) {
      this.outbox.messages.push(message);
      return;
    }
    const box = { child, messages: [message] };
    this.outbox = box;
    setImmediate(() => {
      if (this.outbox === box) this.outbox = undefined;
      // A launcher gone meanwhile answered for these jobs when it exited (not started, or killed).
      if (child.connected) child.send(box.messages);
    });
  }

  /** The job's environment as changes to the launcher's: what to set, and which inherited variables to drop. */
  private envChanges(env: Record<string, string | undefined>): { set: Record<string, string>; unset: string[] } {
    const set: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) if (value !== undefined && this.baseEnv[key] !== value) set[key] = value;
    const unset = Object.keys(this.baseEnv).filter((key) => env[key] === undefined);
    return { set, unset };
  }

  /** Stops the launcher (it kills the jobs still running). */
  stop(): void {
    this.outbox = undefined;
    this.child?.disconnect();
    this.child = undefined;
    this.readyPid = undefined;
  }

  private startChild(): Promise<number> {
    const argv = [...parentDeathPrefix('USR2'), process.execPath, LAUNCHER_SCRIPT];
    this.baseEnv = { ...process.env };
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: this.baseEnv });
    this.child = child;
    return new Promise<number>((resolve, reject) => {
      const hear = (m: Message) => {
        if (m.type === 'ready') {
          resolve(m.pid);
          this.refWhileBusy();
          return;
        }
        const h = this.pending.get(m.id);
        if (!h) return;
        if (m.type === 'spawned') {
          h.pid = m.pid;
          const go = h.onSpawn(m.pid, m.registerError);
          if (h.decides) this.post(child, { type: go ? 'go' : 'refuse', id: m.id });
        } else {
          this.pending.delete(m.id);
          this.refWhileBusy();
          if (m.type === 'error') h.onError(m.message);
          else h.onExit(m.code, m.signal, m.seconds);
        }
      };
      child.on('message', (m: Message | Message[]) => {
        if (Array.isArray(m)) m.forEach(hear);
        else hear(m);
      });
      child.on('error', (err) => reject(err));
      child.on('exit', () => {
        if (this.child === child) {
          this.child = undefined;
          this.readyPid = undefined;
        }
        // Its jobs died with it (parent-death signal): reported as killed, or as not started.
        const lost = [...this.pending.values()];
        this.pending.clear();
        for (const h of lost) {
          if (h.pid !== undefined) h.onExit(null, 'SIGKILL');
          else h.onError('the executor launcher exited before the job started');
        }
        reject(new Error('the executor launcher exited during start-up'));
      });
    });
  }

  /** Keeps this process alive while jobs are in flight, and lets it exit when none is. */
  private refWhileBusy(): void {
    const child = this.child;
    if (!child) return;
    const channel = child.channel as unknown as { ref(): void; unref(): void } | undefined;
    if (this.pending.size > 0) {
      child.ref();
      channel?.ref();
    } else {
      child.unref();
      channel?.unref();
    }
  }
}
