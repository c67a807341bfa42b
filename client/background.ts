// Background services of the embedded default: the Temporal dev server plus the orchestrator and local executor
// workers and the dashboard, each a detached process with a pid file and a log file in the data directory.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { openUnder, PRIVATE_FILE_MODE, writeFileUnder } from '../core/files/confined.js';
import path from 'node:path';
import { isAlive } from '../temporal/devServer.js';
import { dataDir, ensureDataDir, repoRoot } from '../paths/index.js';

export type WorkerKind = 'orchestrator' | 'executor';

export interface WorkerInfo {
  kind: WorkerKind;
  site?: string;
  pid: number;
  logFile: string;
}

/** One background process: `<name>.pid` (JSON with its pid and facts) and `<name>.log` in the data directory. */
interface Background {
  pid: number;
  logFile: string;
}

const pidFileOf = (name: string) => path.join(dataDir(), `${name}.pid`);

function backgroundStatus<T extends Background>(name: string): T | undefined {
  const f = pidFileOf(name);
  if (!existsSync(f)) return undefined;
  const info = JSON.parse(readFileSync(f, 'utf8')) as T;
  return isAlive(info.pid) ? info : undefined;
}

/**
 * Starts `node <launcher> <args>` detached (a launcher of bin/, which runs the fresh build in dist/), logging to
 * `<name>.log`; returns its pid and log file.
 */
function startBackground(name: string, argv: string[], env: NodeJS.ProcessEnv): Background {
  ensureDataDir();
  const logFile = path.join(dataDir(), `${name}.log`);
  const fd = openUnder(dataDir(), logFile, { append: true, mode: PRIVATE_FILE_MODE });
  // One node process (the launcher imports the program), so the pid in the pid file is the process itself.
  const child = spawn(process.execPath, argv, { detached: true, stdio: ['ignore', fd, fd], env, cwd: repoRoot });
  closeSync(fd); // the child holds its own copy
  child.unref();
  return { pid: child.pid!, logFile };
}

function writePidFile(name: string, info: Background): void {
  writeFileUnder(dataDir(), pidFileOf(name), JSON.stringify(info), { mode: PRIVATE_FILE_MODE });
}

async function stopBackground(name: string): Promise<boolean> {
  const info = backgroundStatus(name);
  rmSync(pidFileOf(name), { force: true });
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

// ---- workers

const workerName = (kind: WorkerKind, site?: string) => `worker-${kind}${site ? `-${site}` : ''}`;

export function workerStatus(kind: WorkerKind, site?: string): WorkerInfo | undefined {
  return backgroundStatus<WorkerInfo>(workerName(kind, site));
}

/** The worker launcher (bin/tbps-worker.js): `node <launcher> <kind> [site]` runs the worker's build. */
export const workerLauncher = path.join(repoRoot, 'bin', 'tbps-worker.js');

/** Starts a worker in the background, unless one is running already. */
export function startWorker(kind: WorkerKind, site?: string, env: NodeJS.ProcessEnv = process.env): WorkerInfo & { alreadyRunning: boolean } {
  const running = workerStatus(kind, site);
  if (running) return { ...running, alreadyRunning: true };
  const p = startBackground(workerName(kind, site), [workerLauncher, kind, ...(site ? [site] : [])], { ...env, ...(site ? { TBPS_SITE: site } : {}) });
  const info: WorkerInfo = { kind, site, ...p };
  writePidFile(workerName(kind, site), info);
  return { ...info, alreadyRunning: false };
}

export function stopWorker(kind: WorkerKind, site?: string): Promise<boolean> {
  return stopBackground(workerName(kind, site));
}

// ---- dashboard

export interface DashboardProcess {
  pid: number;
  logFile: string;
  url: string;
}

const DASHBOARD = 'dashboard';

export function dashboardStatus(): DashboardProcess | undefined {
  return backgroundStatus<DashboardProcess>(DASHBOARD);
}

/**
 * Starts `tbps dashboard` in the background (a token, if any, goes by the environment, not the command line) and
 * waits until it answers; throws with the end of its log when it does not.
 */
export async function startDashboard(o: { host: string; port: number; env?: NodeJS.ProcessEnv }): Promise<DashboardProcess & { alreadyRunning: boolean }> {
  const running = dashboardStatus();
  if (running) return { ...running, alreadyRunning: true };
  const argv = [path.join(repoRoot, 'bin', 'tbps.js'), 'dashboard', '--host', o.host, '--port', String(o.port)];
  const p = startBackground(DASHBOARD, argv, o.env ?? process.env);
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}/`;
  const info: DashboardProcess = { ...p, url };
  writePidFile(DASHBOARD, info);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isAlive(p.pid)) break;
    try {
      if ((await fetch(new URL('healthz', url), { signal: AbortSignal.timeout(1000) })).ok) return { ...info, alreadyRunning: false };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopBackground(DASHBOARD);
  const tail = existsSync(p.logFile) ? readFileSync(p.logFile, 'utf8').trim().split('\n').slice(-3).join('\n') : '';
  throw new Error(`the dashboard did not start on ${url}${tail ? `:\n${tail}` : ''}\n(log ${p.logFile})`);
}

export function stopDashboard(): Promise<boolean> {
  return stopBackground(DASHBOARD);
}
