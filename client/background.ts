// Background services of the embedded default: the Temporal dev server plus the orchestrator and local
// executor workers, each a detached process with a pid file and a log file in the data directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../temporal/devServer.js';
import { dataDir, repoRoot } from '../temporal/paths.js';

export type WorkerKind = 'orchestrator' | 'executor';

export interface WorkerInfo {
  kind: WorkerKind;
  site?: string;
  pid: number;
  logFile: string;
}

function pidFile(kind: WorkerKind, site?: string): string {
  return path.join(dataDir(), `worker-${kind}${site ? `-${site}` : ''}.pid`);
}

export function workerStatus(kind: WorkerKind, site?: string): WorkerInfo | undefined {
  const f = pidFile(kind, site);
  if (!existsSync(f)) return undefined;
  const info = JSON.parse(readFileSync(f, 'utf8')) as WorkerInfo;
  return isAlive(info.pid) ? info : undefined;
}

export function workerScript(kind: WorkerKind): string {
  return path.join(repoRoot, 'workers', `${kind}.ts`);
}

/** Starts a worker in the background (tsx), unless one is running already. */
export function startWorker(kind: WorkerKind, site?: string, env: NodeJS.ProcessEnv = process.env): WorkerInfo & { alreadyRunning: boolean } {
  const running = workerStatus(kind, site);
  if (running) return { ...running, alreadyRunning: true };
  mkdirSync(dataDir(), { recursive: true });
  const logFile = path.join(dataDir(), `worker-${kind}${site ? `-${site}` : ''}.log`);
  const fd = openSync(logFile, 'a');
  // One node process (tsx as an import hook), so the pid in the pid file is the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript(kind), ...(site ? [site] : [])], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...env, ...(site ? { TBPS_SITE: site } : {}) },
    cwd: repoRoot,
  });
  child.unref();
  const info: WorkerInfo = { kind, site, pid: child.pid!, logFile };
  writeFileSync(pidFile(kind, site), JSON.stringify(info));
  return { ...info, alreadyRunning: false };
}

export async function stopWorker(kind: WorkerKind, site?: string): Promise<boolean> {
  const info = workerStatus(kind, site);
  rmSync(pidFile(kind, site), { force: true });
  if (!info) return false;
  try {
    process.kill(-info.pid, 'SIGTERM');
  } catch {
    process.kill(info.pid, 'SIGTERM');
  }
  const deadline = Date.now() + 20_000;
  while (isAlive(info.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  return true;
}
