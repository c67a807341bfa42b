// The chaos schedule and its moves: SIGKILL a random worker (restarted after a short random delay) or the dev
// server (restarted on the same port and db file) at random points of a campaign's progress. Points are drawn from
// the seeded generator as fractions of the jobs done plus a random delay, so they fall inside the campaign however
// fast the machine is, and the same seed gives the same schedule.
import { MARKER, type Cluster, type WorkerSlot } from './cluster.js';
import { isLive, markedProcesses } from './procs.js';
import type { Random } from './prng.js';

export interface ChaosEvent {
  kind: 'kill' | 'server';
  /** Fraction of the campaign's jobs done when the move is made. */
  atProgress: number;
  /** Extra random delay after that point. */
  delayMs: number;
}

export interface KillRecord {
  target: string;
  /** The killed worker instance (executor-1.3). */
  instance: string;
  pid: number;
  atMs: number;
  /** run/job of the job processes the killed executor was running at that moment. */
  runningJobs: string[];
  /** pids of those processes (checked again ORPHAN_CHECK_MS later). */
  jobPids: number[];
  /**
   * When the killed process was gone, in ms after atMs (its exit reached the harness). Between atMs and this the
   * kernel is still tearing the executor down: its jobs' parent-death signal has not necessarily fired yet.
   */
  goneAfterMs?: number;
  /** Job processes of the killed instance still alive ORPHAN_CHECK_MS after the kill (pid run/job). */
  orphans?: string[];
}

export interface ChaosLog {
  kills: KillRecord[];
  serverRestarts: number;
  /** Job processes of a killed executor still alive ORPHAN_CHECK_MS after the kill. */
  orphansAfterKills: number;
  /** Delay before each killed worker was started again, in ms. */
  restartDelaysMs: number[];
}

export function chaosSchedule(random: Random, kills: number, serverRestarts: number): ChaosEvent[] {
  const events: ChaosEvent[] = [];
  for (let i = 0; i < kills; i++) events.push({ kind: 'kill', atProgress: random.between(0.03, 0.92), delayMs: Math.round(random.between(0, 1500)) });
  for (let i = 0; i < serverRestarts; i++) events.push({ kind: 'server', atProgress: random.between(0.2, 0.8), delayMs: Math.round(random.between(0, 1500)) });
  return events.sort((a, b) => a.atProgress - b.atProgress);
}

/** How long after a kill its job processes must be gone (a parent-death signal takes a few ms). */
export const ORPHAN_CHECK_MS = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Chaos {
  readonly log: ChaosLog = { kills: [], serverRestarts: 0, orphansAfterKills: 0, restartDelaysMs: [] };
  private pending: Promise<unknown>[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly random: Random,
  ) {}

  private liveWorkers(): WorkerSlot[] {
    return this.cluster.workers.filter((w) => w.proc && w.proc.exitCode === null && w.proc.signalCode === null && !w.expectedExit);
  }

  /** SIGKILLs a random live worker (executor or orchestrator) and restarts it 0.5-3 s later. */
  async killRandomWorker(): Promise<void> {
    let live = this.liveWorkers();
    for (let i = 0; live.length === 0 && i < 200; i++) {
      await sleep(100);
      live = this.liveWorkers();
    }
    if (live.length === 0) throw new Error('chaos: no live worker to kill for 20 s');
    const slot = this.random.pick(live);
    const pid = slot.proc!.pid!;
    const instance = slot.instance;
    const ofInstance = () => markedProcesses(MARKER, this.cluster.home, this.cluster.workerPids()).filter((p) => p.worker === instance && p.job);
    // The job processes this worker instance started, just before the kill (one it spawns in between is found
    // through the job's own output, see checks.ts).
    const children = ofInstance();
    const proc = slot.proc!;
    this.cluster.killWorker(slot);
    const atMs = Date.now();
    const record: KillRecord = { target: slot.name, instance, pid, atMs, runningJobs: [...new Set(children.map((c) => `${c.run}/${c.job}`))], jobPids: children.map((c) => c.pid) };
    this.log.kills.push(record);
    proc.once('exit', () => (record.goneAfterMs = Date.now() - atMs));
    const restartMs = Math.round(this.random.between(500, 3000));
    this.log.restartDelaysMs.push(restartMs);
    this.pending.push(
      (async () => {
        await sleep(ORPHAN_CHECK_MS);
        const orphans = ofInstance().filter((c) => isLive(c.pid));
        this.log.orphansAfterKills += orphans.length;
        if (orphans.length) record.orphans = orphans.map((c) => `${c.pid} ${c.run}/${c.job}`);
      })(),
      (async () => {
        await sleep(restartMs);
        this.cluster.startWorker(slot);
      })(),
    );
  }

  /** SIGKILLs the dev server and starts it again 1-3 s later on the same port and db file. */
  async restartServer(): Promise<void> {
    await this.cluster.restartServer(Math.round(this.random.between(1000, 3000)));
    this.log.serverRestarts++;
  }

  async run(event: ChaosEvent): Promise<void> {
    await sleep(event.delayMs);
    if (event.kind === 'kill') await this.killRandomWorker();
    else await this.restartServer();
  }

  /** Waits for the delayed restarts and orphan checks still pending. */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }
}
