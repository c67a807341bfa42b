// Starts, stops and inspects the embedded Temporal dev server (`temporal server start-dev` with SQLite
// persistence, the Web UI and tbps's search attributes). Used by `tbps server ...`, the demo and the test setup.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { ensurePrivateDir, openUnder, PRIVATE_FILE_MODE, writeFileUnder } from '../core/files/confined.js';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { dataDir, requireTemporalCli } from '../paths/index.js';
import { searchAttributeFlags } from './searchAttributes.js';

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** SQLite file for persistence; `null` keeps state in memory (tests). */
  dbFile?: string | null;
  headless?: boolean;
  /** Folder for the pid and log files. */
  stateDir?: string;
  /** Faster, less durable SQLite (tests). */
  fastSqlite?: boolean;
}

export interface DevServerInfo {
  pid: number;
  address: string;
  uiUrl?: string;
  dbFile: string | null;
  logFile: string;
  pidFile: string;
}

function resolveOptions(o: DevServerOptions) {
  const stateDir = o.stateDir ?? dataDir();
  const port = o.port ?? 7233;
  return {
    stateDir,
    port,
    uiPort: o.uiPort ?? port + 1000,
    dbFile: o.dbFile === undefined ? path.join(stateDir, 'temporal.sqlite') : o.dbFile,
    headless: o.headless ?? false,
    pidFile: path.join(stateDir, `temporal-${port}.pid`),
    infoFile: path.join(stateDir, `temporal-${port}.json`),
    logFile: path.join(stateDir, `temporal-${port}.log`),
    fastSqlite: o.fastSqlite ?? false,
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function runningServer(o: DevServerOptions = {}): DevServerInfo | undefined {
  const r = resolveOptions(o);
  if (!existsSync(r.infoFile)) return undefined;
  const info = JSON.parse(readFileSync(r.infoFile, 'utf8')) as DevServerInfo;
  return isAlive(info.pid) ? info : undefined;
}

export async function waitForFrontend(address: string, timeoutMs: number, pid?: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) throw new Error('the Temporal dev server exited during start-up');
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await c.workflowService.getSystemInfo({});
        // The default namespace is registered shortly after the frontend answers.
        await c.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await c.close();
      }
    } catch (err) {
      lastErr = err;
      await new Promise((res) => setTimeout(res, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} did not answer within ${timeoutMs} ms: ${String(lastErr)}`);
}

/** Starts the dev server in the background (detached) unless one is already running on that port. */
export async function startDevServer(o: DevServerOptions = {}): Promise<DevServerInfo & { alreadyRunning: boolean }> {
  const r = resolveOptions(o);
  const existing = runningServer(o);
  if (existing) return { ...existing, alreadyRunning: true };
  const cli = requireTemporalCli();
  ensurePrivateDir(r.stateDir);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(r.port), '--log-level', 'warn', ...searchAttributeFlags()];
  if (r.dbFile) args.push('--db-filename', r.dbFile);
  if (r.headless) args.push('--headless');
  else args.push('--ui-port', String(r.uiPort));
  args.push('--sqlite-pragma', 'journal_mode=wal');
  if (r.fastSqlite) args.push('--sqlite-pragma', 'synchronous=off');
  // Let long runs' workflows hear "continue-as-new suggested" well before the hard limits.
  args.push('--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=4000');
  const log = openUnder(r.stateDir, r.logFile, { append: true, mode: PRIVATE_FILE_MODE });
  // The server creates its database (and -wal/-shm) itself: owner-only, whatever the caller's umask.
  for (const f of r.dbFile ? [r.dbFile, `${r.dbFile}-wal`, `${r.dbFile}-shm`] : []) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
  const oldMask = process.umask(0o077);
  let child;
  try {
    child = spawn(cli, args, { detached: true, stdio: ['ignore', log, log] });
  } finally {
    process.umask(oldMask);
    closeSync(log); // the child holds its own copy
  }
  child.unref();
  const info: DevServerInfo = {
    pid: child.pid!,
    address: `127.0.0.1:${r.port}`,
    uiUrl: r.headless ? undefined : `http://127.0.0.1:${r.uiPort}`,
    dbFile: r.dbFile,
    logFile: r.logFile,
    pidFile: r.pidFile,
  };
  writeFileUnder(r.stateDir, r.pidFile, String(child.pid), { mode: PRIVATE_FILE_MODE });
  writeFileUnder(r.stateDir, r.infoFile, JSON.stringify(info, null, 2), { mode: PRIVATE_FILE_MODE });
  try {
    await waitForFrontend(info.address, 60_000, child.pid);
  } catch (err) {
    let tail = '';
    try {
      tail = readFileSync(r.logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      /* no log */
    }
    throw new Error(`${(err as Error).message}\nServer log (${r.logFile}):\n${tail}`);
  }
  return { ...info, alreadyRunning: false };
}

export async function stopDevServer(o: DevServerOptions = {}): Promise<boolean> {
  const r = resolveOptions(o);
  const info = runningServer(o);
  if (!info) {
    rmSync(r.infoFile, { force: true });
    rmSync(r.pidFile, { force: true });
    return false;
  }
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isAlive(info.pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  rmSync(r.infoFile, { force: true });
  rmSync(r.pidFile, { force: true });
  return true;
}
