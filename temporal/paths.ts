// Where tbps keeps its things on this machine: the repo root, the provisioned tools, the data directory.
// TBPS_HOME moves the data directory (server DB, run/job store, pid and log files) elsewhere.
import { existsSync } from 'node:fs';
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

/** The store (run/job database): TBPS_DB (file path or URL) or an SQLite file in the data directory. */
export function storeLocation(): string {
  return process.env.TBPS_DB ?? path.join(dataDir(), 'tbps.sqlite');
}
