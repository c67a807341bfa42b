// The soak's private tbps installation: a Temporal dev server with SQLite persistence in a temp dir (so it can be
// SIGKILLed and restarted on the same port and db file), a data dir (TBPS_HOME), and worker processes (one
// orchestrator, two executors) that the chaos loop kills and restarts. Workers carry a marker variable that their
// job processes inherit, so job processes can be found through /proc after their executor is gone, and a variable
// naming the worker instance (executor-1.3 = the third start of executor-1), so a job's own output and its processes
// say which instance started them even when it died between the spawn and the job's first line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, stopDevServer, isAlive } from '../../../temporal/devServer.js';
import { freePort } from '../../../temporal/ports.js';
import { repoRoot } from '../../../paths/index.js';
import { writeWorkflowBundle } from '../../../workers/bundle.js';

export const MARKER = 'TBPS_SOAK_MARK';
export const WORKER_INSTANCE = 'TBPS_SOAK_WORKER';

export type WorkerKind = 'orchestrator' | 'executor';

export interface WorkerSlot {
  /** orchestrator, executor-1, executor-2 */
  name: string;
  kind: WorkerKind;
  proc?: ChildProcess;
  /** Set while the harness itself killed or is stopping it (not an unexpected exit). */
  expectedExit: boolean;
  starts: number;
  /** name.starts of the running process (what its jobs carry in WORKER_INSTANCE). */
  instance: string;
}

export interface Cluster {
  home: string;
  address: string;
  env: NodeJS.ProcessEnv;
  workers: WorkerSlot[];
  /** Worker exits the harness did not cause (each is restarted after a second). */
  unexpectedExits: string[];
  serverPid(): number;
  startWorker(slot: WorkerSlot): void;
  /** SIGKILLs a worker; returns its pid. */
  killWorker(slot: WorkerSlot): number;
  /** SIGKILLs the dev server, waits `downMs`, starts it again on the same port and db file. */
  restartServer(downMs: number): Promise<void>;
  workerPids(): Set<number>;
  tbps(args: string[], timeoutMs?: number): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export interface ClusterOptions {
  name: string;
  /** CPU slots of each executor (TBPS_EXECUTOR_CPUS). */
  executorCpus: number;
  executors: number;
  /** Keep the temp dir (for inspection) instead of deleting it. */
  keep?: boolean;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const home = mkdtempSync(path.join(os.tmpdir(), `tbps-soak-${o.name}-`));
  const port = await freePort();
  const serverOpts = { port, stateDir: home, dbFile: path.join(home, 'temporal.sqlite'), headless: true };
  let info = await startDevServer(serverOpts);
  const bundle = await writeWorkflowBundle(path.join(home, 'workflow-bundle.js'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: info.address,
    TBPS_HOME: home,
    TBPS_WORKFLOW_BUNDLE: bundle,
    TBPS_TASK_QUEUE: `soak-${o.name}`,
    TBPS_LOG_LEVEL: 'warn',
  };
  delete env[MARKER];
  delete env[WORKER_INSTANCE];
  const workers: WorkerSlot[] = [
    { name: 'orchestrator', kind: 'orchestrator', expectedExit: false, starts: 0, instance: '' },
    ...Array.from({ length: o.executors }, (_, i): WorkerSlot => ({ name: `executor-${i + 1}`, kind: 'executor', expectedExit: false, starts: 0, instance: '' })),
  ];
  const unexpectedExits: string[] = [];
  let stopping = false;

  const startWorker = (slot: WorkerSlot) => {
    slot.starts++;
    slot.instance = `${slot.name}.${slot.starts}`;
    const log = openSync(path.join(home, `${slot.name}.log`), 'a');
    const extra: NodeJS.ProcessEnv = slot.kind === 'executor' ? { TBPS_EXECUTOR_CPUS: String(o.executorCpus) } : {};
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'tbps-worker.js'), slot.kind], {
      cwd: repoRoot,
      env: { ...env, ...extra, [MARKER]: home, [WORKER_INSTANCE]: slot.instance },
      stdio: ['ignore', log, log],
    });
    slot.proc = child;
    slot.expectedExit = false;
    child.on('exit', (code, signal) => {
      if (slot.proc !== child || slot.expectedExit || stopping) return;
      unexpectedExits.push(`${slot.name} pid ${child.pid} exited (${signal ?? `code ${code}`})`);
      setTimeout(() => {
        if (!stopping && slot.proc === child) startWorker(slot);
      }, 1000);
    });
  };

  const cluster: Cluster = {
    home,
    address: info.address,
    env,
    workers,
    unexpectedExits,
    serverPid: () => info.pid,
    startWorker,
    killWorker(slot) {
      const pid = slot.proc?.pid ?? -1;
      slot.expectedExit = true;
      slot.proc?.kill('SIGKILL');
      return pid;
    },
    async restartServer(downMs) {
      process.kill(info.pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while (isAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, downMs));
      info = await startDevServer(serverOpts);
    },
    workerPids: () => new Set(workers.flatMap((w) => (w.proc?.pid && w.proc.exitCode === null && w.proc.signalCode === null ? [w.proc.pid] : []))),
    tbps(args, timeoutMs = 120_000) {
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tbps.js'), ...args], { env, encoding: 'utf8', cwd: home, timeout: timeoutMs });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    async stop() {
      stopping = true;
      const live = workers.flatMap((w) => (w.proc && w.proc.exitCode === null && w.proc.signalCode === null ? [w.proc] : []));
      for (const p of live) p.kill('SIGTERM');
      await Promise.all(
        live.map(
          (p) =>
            new Promise<void>((res) => {
              const t = setTimeout(() => {
                p.kill('SIGKILL');
                res();
              }, 15_000);
              p.once('exit', () => {
                clearTimeout(t);
                res();
              });
            }),
        ),
      );
      await stopDevServer(serverOpts);
    },
  };
  for (const w of workers) startWorker(w);
  return cluster;
}
