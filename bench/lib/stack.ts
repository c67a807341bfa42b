// A private tbps stack for benchmarks: its own Temporal dev server (in memory), data dir and worker processes,
// torn down at the end. Benchmarks use the real CLI and workers, exactly as users do.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, stopDevServer } from '../../temporal/devServer.js';
import { repoRoot } from '../../temporal/paths.js';
import { writeWorkflowBundle } from '../../workers/bundle.js';

export interface Stack {
  home: string;
  env: NodeJS.ProcessEnv;
  address: string;
  startWorker(kind: 'orchestrator' | 'executor', env?: NodeJS.ProcessEnv): ChildProcess;
  tbps(args: string[]): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export async function startStack(name: string): Promise<Stack> {
  const home = mkdtempSync(path.join(os.tmpdir(), `tbps-bench-${name}-`));
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
  return {
    home,
    env,
    address: info.address,
    startWorker(kind, extra = {}) {
      const log = openSync(path.join(home, `${kind}-${procs.length}.log`), 'a');
      const p = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'workers', `${kind}.ts`)], {
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
    async stop() {
      for (const p of procs) p.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
      await stopDevServer({ port, stateDir: home });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Parses `--name value` flags. */
export function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}
