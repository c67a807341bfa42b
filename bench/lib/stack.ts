// A private tbps stack for benchmarks: its own Temporal dev server (in memory), data dir and worker processes,
// torn down at the end. Benchmarks use the real CLI and workers, exactly as users do.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, stopDevServer } from '../../temporal/devServer.js';
import { freePort } from '../../temporal/ports.js';
import { repoRoot } from '../../paths/index.js';
import { writeWorkflowBundle } from '../../workers/bundle.js';
import { cpuTimes, descendantsCpuTimes, type CpuTimes } from './cpu.js';
import { Client, Connection } from '@temporalio/client';

export interface Stack {
  /** The data directory (TBPS_HOME, 0700). */
  home: string;
  /** Where runs' submit directories go (outside the private data directory, e.g. for a pool's user to reach). */
  work: string;
  env: NodeJS.ProcessEnv;
  address: string;
  /** `nodeArgs`: extra options for node (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
  startWorker(kind: 'orchestrator' | 'executor', env?: NodeJS.ProcessEnv, nodeArgs?: string[]): ChildProcess;
  tbps(args: string[]): { code: number; stdout: string; stderr: string };
  /** CPU times so far of the dev server, each worker, and the CLI runs (this process's waited-for children). */
  cpuSnapshot(): Record<string, CpuTimes>;
  /** Workflow executions on the server and their history events in all (the Temporal work a run took). */
  historyEvents(): Promise<{ workflows: number; events: number }>;
  /** Submits a run of no-op jobs (`true`) with the given graph source line and waits for it; throws unless SUCCEEDED. */
  timedNoopRun(
    name: string,
    graphSource: string,
  ): Promise<{ seconds: number; stdout: string; cpuBefore: Record<string, CpuTimes>; cpuAfter: Record<string, CpuTimes>; idle: { seconds: number; before: Record<string, CpuTimes>; after: Record<string, CpuTimes> } }>;
  /** Stops the workers and the server; removes home and work unless `keep` (to look at a failed run). */
  stop(keep?: boolean): Promise<void>;
}


export async function startStack(name: string): Promise<Stack> {
  const home = mkdtempSync(path.join(os.tmpdir(), `tbps-bench-${name}-`));
  const work = mkdtempSync(path.join(os.tmpdir(), `tbps-bench-${name}-work-`));
  const port = await freePort();
  const info = await startDevServer({ port, stateDir: home, dbFile: null, headless: true, fastSqlite: true });
  const bundle = await writeWorkflowBundle(path.join(home, 'workflow-bundle.js'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: info.address,
    TBPS_HOME: home,
    TBPS_WORKFLOW_BUNDLE: bundle,
    TBPS_TASK_QUEUE: `bench-${name}`,
    TBPS_LOG_LEVEL: 'warn',
  };
  const procs: ChildProcess[] = [];
  const kinds: string[] = [];
  const stack: Stack = {
    home,
    work,
    env,
    address: info.address,
    startWorker(kind, extra = {}, nodeArgs = []) {
      const log = openSync(path.join(home, `${kind}-${procs.length}.log`), 'a');
      const p = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, 'bin', 'tbps-worker.js'), kind], {
        env: { ...env, ...extra },
        stdio: ['ignore', log, log],
        cwd: repoRoot,
      });
      procs.push(p);
      kinds.push(kind);
      return p;
    },
    cpuSnapshot() {
      const out: Record<string, CpuTimes> = { server: cpuTimes(info.pid) };
      procs.forEach((p, i) => {
        const name = kinds.filter((k) => k === kinds[i]).length > 1 ? `${kinds[i]}${i}` : kinds[i];
        if (!p.pid) return;
        out[name] = cpuTimes(p.pid);
        // Helpers it started (the executor's launcher) and what they ran (jobs), under <name>_helpers.
        const helpers = descendantsCpuTimes(p.pid);
        if (helpers.self > 0 || helpers.children > 0) out[`${name}_helpers`] = helpers;
      });
      out.cli = { self: cpuTimes(process.pid).children, children: 0 };
      return out;
    },
    tbps(args) {
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tbps.js'), ...args], { env, encoding: 'utf8', cwd: home });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    async historyEvents() {
      const connection = await Connection.connect({ address: info.address });
      try {
        const client = new Client({ connection });
        let workflows = 0;
        let events = 0;
        for await (const wf of client.workflow.list()) {
          workflows++;
          events += wf.historyLength;
        }
        return { workflows, events };
      } finally {
        await connection.close();
      }
    },
    async timedNoopRun(name, graphSource) {
      const cfg = path.join(home, `${name}.yaml`);
      writeFileSync(
        cfg,
        [
          `payloadName: ${name}`,
          `uniqProcName: ${name}`,
          `submitPath: ${path.join(work, 'submit', name)}`,
          graphSource,
          'runQuantumCommand: "true {qgraphNodeId}"',
          'requestMemory: 64',
          'runInit: false',
          'finalJob: {whenRun: NEVER}',
          '',
        ].join('\n'),
      );
      // Let the workers come up before timing.
      let ready = false;
      for (let i = 0; i < 120 && !(ready = stack.tbps(['ping']).code === 0); i++) await new Promise((r) => setTimeout(r, 500));
      if (!ready) throw new Error(`benchmark run ${name}: the workers did not answer \`tbps ping\` within a minute (logs in ${home})`);
      // The stack's CPU while idle (server housekeeping, pollers), to tell fixed costs from per-job ones.
      const idleStart = stack.cpuSnapshot();
      const idleT0 = performance.now();
      await new Promise((r) => setTimeout(r, 3000));
      const idle = { seconds: (performance.now() - idleT0) / 1000, before: idleStart, after: stack.cpuSnapshot() };
      const cpuBefore = stack.cpuSnapshot();
      const t0 = performance.now();
      const r = stack.tbps(['submit', cfg, '--wait']);
      const seconds = (performance.now() - t0) / 1000;
      const cpuAfter = stack.cpuSnapshot();
      if (r.code !== 0) throw new Error(`benchmark run ${name} did not succeed:\n${r.stdout}\n${r.stderr}`);
      return { seconds, stdout: r.stdout, cpuBefore, cpuAfter, idle };
    },
    async stop(keep = false) {
      for (const p of procs) p.kill('SIGTERM');
      // Up to 10 s for a clean exit (a worker writes its CPU profile then).
      for (let i = 0; i < 100 && procs.some((p) => p.exitCode === null && p.signalCode === null); i++) await new Promise((r) => setTimeout(r, 100));
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
      await stopDevServer({ port, stateDir: home });
      if (keep) return;
      rmSync(home, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Parses `--name value` flags. */
export function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
