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

export interface Stack {
  /** The data directory (TBPS_HOME, 0700). */
  home: string;
  /** Where runs' submit directories go (outside the private data directory, e.g. for a pool's user to reach). */
  work: string;
  env: NodeJS.ProcessEnv;
  address: string;
  startWorker(kind: 'orchestrator' | 'executor', env?: NodeJS.ProcessEnv): ChildProcess;
  tbps(args: string[]): { code: number; stdout: string; stderr: string };
  /** Submits a run of no-op jobs (`true`) with the given graph source line and waits for it; throws unless SUCCEEDED. */
  timedNoopRun(name: string, graphSource: string): Promise<{ seconds: number; stdout: string }>;
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
  const stack: Stack = {
    home,
    work,
    env,
    address: info.address,
    startWorker(kind, extra = {}) {
      const log = openSync(path.join(home, `${kind}-${procs.length}.log`), 'a');
      const p = spawn(process.execPath, [path.join(repoRoot, 'bin', 'tbps-worker.js'), kind], {
        env: { ...env, ...extra },
        stdio: ['ignore', log, log],
        cwd: repoRoot,
      });
      procs.push(p);
      return p;
    },
    tbps(args) {
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tbps.js'), ...args], { env, encoding: 'utf8', cwd: home });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
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
      for (let i = 0; i < 120 && stack.tbps(['ping']).code !== 0; i++) await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      const r = stack.tbps(['submit', cfg, '--wait']);
      const seconds = (performance.now() - t0) / 1000;
      if (r.code !== 0) throw new Error(`benchmark run ${name} did not succeed:\n${r.stdout}\n${r.stderr}`);
      return { seconds, stdout: r.stdout };
    },
    async stop(keep = false) {
      for (const p of procs) p.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
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
