// Where tbps keeps its things on this machine: the repo root, the provisioned tools, the data directory, the store.
// One small module every layer above core/ may import (activities, lsst/, the client, workers), so none reaches into
// temporal/ for a path.
// TBPS_HOME moves the data directory (server DB, run/job store, pid and log files) elsewhere; it is owner-only (0700).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensurePrivateDir, PRIVATE_FILE_MODE, writeFileUnder } from '../core/files/confined.js';
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
 * The store (run/job database): TBPS_DB (file path or URL), else the location `tbps server start --db` saved in the
 * data directory, else an SQLite file in the data directory, which is then made ready (created, 0700) since the
 * store is about to be opened there.
 */
export function storeLocation(): string {
  if (process.env.TBPS_DB) return process.env.TBPS_DB;
  return savedStoreLocation() ?? defaultStoreLocation();
}

/** The SQLite file in the data directory (the data directory is created, 0700). */
export function defaultStoreLocation(): string {
  return path.join(ensureDataDir(), 'tbps.sqlite');
}

/** Where `tbps server start --db` records the store of this data directory (0600: a URL may hold a password). */
function savedStoreFile(): string {
  return path.join(dataDir(), 'store-location');
}

/** The store location saved by `tbps server start --db`, if any. */
export function savedStoreLocation(): string | undefined {
  const file = savedStoreFile();
  if (!existsSync(file)) return undefined;
  const saved = readFileSync(file, 'utf8').trim();
  return saved === '' ? undefined : saved;
}

/** Saves the store location for this data directory's server and CLI; undefined goes back to the default. */
export function saveStoreLocation(location: string | undefined): void {
  if (location === undefined) {
    rmSync(savedStoreFile(), { force: true });
    return;
  }
  const dir = ensureDataDir();
  writeFileUnder(dir, savedStoreFile(), `${location}\n`, { mode: PRIVATE_FILE_MODE });
}
