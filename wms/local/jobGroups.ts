// Process groups of the jobs an executor runs, so that no job outlives the executor that started it.
// Each running job has a registry file <root>/<executorPid>-<executorStartTicks>/<pgid>.job: the group id on the first
// line (for the watchdog's shell), then one JSON line saying which job and attempt it is, the group's token (an
// environment variable every process of the job inherits) and its activity's task token; a job still waiting for a
// slot has a <id>.wait file (no group) so that its activity can be handed back too. A watchdog (a shell reading a pipe from the executor,
// in its own process group) kills the registered groups the moment that pipe closes, however the executor dies;
// SIGKILL included. A starting executor reaps what dead executors left behind (their groups killed, their
// attempts returned so they can be closed), telling a dead executor from a live one (or a reused pid) by the
// process start time in /proc. Pure Node, Linux /proc; no Temporal here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { mkdirUnder, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileUnder } from '../../core/files/confined.js';
import path from 'node:path';
import { readProcStat } from '../../processes/procStat.js';

/** The variable that marks every process of one job (its value is the job group's token). */
export const JOB_TOKEN_VAR = 'TBPS_JOB_TOKEN';

/** What a registry file says about the job of one process group. */
export interface RegisteredJob {
  pgid: number;
  token: string;
  runId: string;
  name: string;
  /** Stored attempt number (see store openAttempt). */
  attempt: number;
  host: string;
  /** The Temporal activity task token (base64) of the attempt, so that a reaper can fail it at once. */
  taskToken?: string;
}

/** A job of a dead executor found by reapOrphans. */
export interface OrphanJob extends RegisteredJob {
  /** Processes of its group that were still alive and have been sent SIGKILL. */
  killed: number;
  /** It only waited for a slot: no process, no attempt. */
  waiting: boolean;
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined when gone or a zombie. */
export function processStartTicks(pid: number): string | undefined {
  const stat = readProcStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTicks : undefined;
}


/** Live (not zombie) processes whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') out.push(Number(entry));
  }
  return out;
}

function hasToken(pid: number, token: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${JOB_TOKEN_VAR}=${token}`);
  } catch {
    return false;
  }
}

/**
 * Kills the group `pgid` if it is still the job's own: some live member carries the job's token (a pid number
 * reused by an unrelated group never matches). Returns how many processes the group had.
 */
export function killJobGroup(pgid: number, token: string): number {
  if (!Number.isInteger(pgid) || pgid <= 1) return 0;
  const members = groupMembers(pgid);
  if (members.length === 0 || !members.some((pid) => hasToken(pid, token))) return 0;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    return 0;
  }
  return members.length;
}

// The watchdog: blocks reading the executor's pipe; at end of file (the executor is gone, whatever killed it) it
// SIGKILLs every group still registered. It ignores INT/HUP/TERM so that signals meant for the executor's terminal
// or process group do not take it away first.
const WATCHDOG = `trap '' INT HUP TERM
while read -r _; do :; done
for f in "$1"/*.job; do
  [ -f "$f" ] || continue
  read -r g < "$f" && kill -KILL -"$g" 2>/dev/null
done
exit 0`;

export class JobGroups {
  readonly dir: string;
  private watchdog?: ChildProcess;
  private readonly live = new Map<number, RegisteredJob>();

  /** `root`: the registry of this host's executors (e.g. <data dir>/executors). */
  constructor(readonly root: string) {
    this.dir = path.join(root, `${process.pid}-${processStartTicks(process.pid) ?? '0'}`);
  }

  /** Creates this executor's registry directory and starts its watchdog. */
  start(): void {
    mkdirUnder(this.root, this.dir, PRIVATE_DIR_MODE);
    const dog = spawn('sh', ['-c', WATCHDOG, 'tbps-watchdog', this.dir], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    dog.on('error', () => {}); // no shell: groups are still killed on SIGTERM and by the next executor's reap
    dog.unref();
    (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    dog.stdin?.on('error', () => {});
    this.watchdog = dog;
  }

  /** A fresh token for a job about to start: put it in its environment as JOB_TOKEN_VAR. */
  newToken(): string {
    return randomUUID();
  }

  /** Registers a started job's group (call right after spawn, synchronously). */
  register(job: RegisteredJob): void {
    this.live.set(job.pgid, job);
    writeFileUnder(this.dir, `${job.pgid}.job`, `${job.pgid}\n${JSON.stringify(job)}\n`, { mode: PRIVATE_FILE_MODE });
  }

  /** Forgets an ended job's group. */
  unregister(pgid: number): void {
    this.live.delete(pgid);
    try {
      unlinkSync(path.join(this.dir, `${pgid}.job`));
    } catch {
      /* already gone */
    }
  }

  /** Registers a job waiting for a slot (pgid 0); returns the id to unregister it with. */
  registerWaiting(job: Omit<RegisteredJob, 'pgid' | 'token' | 'attempt'>): string {
    const id = randomUUID();
    writeFileUnder(this.dir, `${id}.wait`, `0\n${JSON.stringify({ ...job, pgid: 0, token: id, attempt: 0 })}\n`, { mode: PRIVATE_FILE_MODE });
    return id;
  }

  unregisterWaiting(id: string): void {
    try {
      unlinkSync(path.join(this.dir, `${id}.wait`));
    } catch {
      /* already gone */
    }
  }

  /** SIGKILLs every registered group (executor shutdown); returns how many groups were alive. */
  killAll(): number {
    let n = 0;
    for (const job of this.live.values()) if (killJobGroup(job.pgid, job.token) > 0) n++;
    return n;
  }

  /** Stops the watchdog (after killAll on a clean shutdown) and removes this executor's registry. */
  stop(): void {
    this.watchdog?.stdin?.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Reaps what dead executors of this host left in `root`: for each registry directory whose executor is gone (its
 * pid not alive with the recorded start time), kills the groups still alive and returns their jobs, then removes
 * the directory. Directories of live executors are left alone.
 */
export function reapOrphans(root: string): OrphanJob[] {
  let dirs: string[];
  try {
    dirs = readdirSync(root);
  } catch {
    return [];
  }
  const orphans: OrphanJob[] = [];
  for (const d of dirs) {
    const m = /^(\d+)-(\d+)$/.exec(d);
    if (!m) continue;
    const [pid, ticks] = [Number(m[1]), m[2]];
    if (pid === process.pid || processStartTicks(pid) === ticks) continue; // alive: its own watchdog guards it
    const dir = path.join(root, d);
    for (const f of readdirSync(dir)) {
      const waiting = f.endsWith('.wait');
      if (!waiting && !f.endsWith('.job')) continue;
      const job = parseRegistryFile(readFileSync(path.join(dir, f), 'utf8'));
      if (job) orphans.push({ ...job, waiting, killed: waiting || job.pgid <= 0 ? 0 : killJobGroup(job.pgid, job.token) });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return orphans;
}

/** The job of a registry file (second line, JSON); undefined when unreadable. */
export function parseRegistryFile(text: string): RegisteredJob | undefined {
  const line = text.split('\n')[1];
  try {
    const j = JSON.parse(line) as RegisteredJob;
    return Number.isInteger(j.pgid) && typeof j.token === 'string' && typeof j.runId === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}
