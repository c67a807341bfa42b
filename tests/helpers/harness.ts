// Integration-test harness: a private data dir, store and task-queue prefix per test file, real worker
// processes (orchestrator + executor) that a test can kill, and the real CLI run as a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { repoRoot } from '../../paths/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundle: string;
  }
}

export interface Harness {
  home: string;
  env: NodeJS.ProcessEnv;
  startOrchestrator(): ChildProcess;
  startExecutor(extraEnv?: NodeJS.ProcessEnv): ChildProcess;
  tbps(args: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): { code: number; stdout: string; stderr: string };
  /** The CLI as a child process; `cwd`, extra `env` and a `timeoutMs` after which it is killed (code -1). */
  tbpsAsync(args: string[], opts?: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** A Temporal client on the test server (closed by stopAll). */
  client(): Promise<Client>;
  stopAll(): Promise<void>;
}


/** `extraEnv` goes to every process the harness starts (e.g. TBPS_DB for a PostgreSQL store). */
export function createHarness(name: string, extraEnv: NodeJS.ProcessEnv = {}): Harness {
  const home = mkdtempSync(path.join(os.tmpdir(), `tbps-${name}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TBPS_WORKFLOW_BUNDLE: inject('workflowBundle'),
    TBPS_HOME: home,
    TBPS_TASK_QUEUE: `tbps-test-${name}-${process.pid}-${Date.now()}`,
    TBPS_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const procs: ChildProcess[] = [];
  let connection: Connection | undefined;
  // Workers start as `tbps server start` starts them: through bin/tbps-worker.js, which runs the fresh build (a stale
  // one is rebuilt first, so a test never runs old code).
  const start = (kind: 'orchestrator' | 'executor', extra: NodeJS.ProcessEnv = {}) => {
    const log = openSync(path.join(home, `${kind}-${procs.length}.log`), 'a');
    const p = spawn(process.execPath, [path.join(repoRoot, 'bin', 'tbps-worker.js'), kind], { cwd: repoRoot, env: { ...env, ...extra }, stdio: ['ignore', log, log] });
    procs.push(p);
    return p;
  };
  const cli = path.join(repoRoot, 'bin', 'tbps.js');
  return {
    home,
    env,
    startOrchestrator: () => start('orchestrator'),
    startExecutor: (extra) => start('executor', extra),
    tbps(args, opts) {
      const r = spawnSync(process.execPath, [cli, ...args], { env: { ...env, ...opts?.env }, encoding: 'utf8', timeout: opts?.timeoutMs ?? 600_000, cwd: home });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    tbpsAsync(args, opts) {
      return new Promise((resolve) => {
        const p = spawn(process.execPath, [cli, ...args], { env: { ...env, ...opts?.env }, cwd: opts?.cwd ?? home });
        let stdout = '';
        let stderr = '';
        const timer = opts?.timeoutMs ? setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs) : undefined;
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (code) => {
          if (timer) clearTimeout(timer);
          resolve({ code: code ?? -1, stdout, stderr });
        });
      });
    },
    async client() {
      connection ??= await Connection.connect({ address: inject('temporalAddress') });
      return new Client({ connection });
    },
    async stopAll() {
      await connection?.close();
      connection = undefined;
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((res) => {
              if (p.exitCode !== null || p.signalCode !== null) return res();
              const t = setTimeout(() => {
                p.kill('SIGKILL');
                res();
              }, 15_000);
              p.on('exit', () => {
                clearTimeout(t);
                res();
              });
            }),
        ),
      );
    },
  };
}
