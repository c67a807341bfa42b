// Where tbps keeps its things on this machine: the repo root, the provisioned tools, the data directory.
// TBPS_HOME moves the data directory (server DB, run/job store, pid and log files) elsewhere; it is owner-only (0700).
import { existsSync } from 'node:fs';
import { ensurePrivateDir } from '../core/files/confined.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function dataDir(): string {
  return path.resolve(process.env.TBPS_HOME ?? path.join(repoRoot, '.data'));
}

export function temporalCli(): string {
  const p = process.env.TBPS_TEMPORAL_CLI ?? path.join(repoRoot, '.tools', 'bin', 'temporal');
  return p;
}

export function requireTemporalCli(): string {
  const p = temporalCli();
  if (!existsSync(p)) {
    throw new Error(`Temporal CLI not found at ${p}. Run 'npm run setup' (it builds it with go install).`);
  }
  return p;
}

/** Creates the data directory if needed and makes it owner-only (0700), also when it existed with a looser mode. */
export function ensureDataDir(): string {
  return ensurePrivateDir(dataDir());
}

/**
 * The store (run/job database): TBPS_DB (file path or URL) or an SQLite file in the data directory, which is then
 * made ready (created, 0700) since the store is about to be opened there.
 */
export function storeLocation(): string {
  if (process.env.TBPS_DB) return process.env.TBPS_DB;
  return path.join(ensureDataDir(), 'tbps.sqlite');
}
