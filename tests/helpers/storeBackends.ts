// The store's two backends for tests that run on both: a SQLite file in a fresh temp folder, or a fresh database on
// the PostgreSQL test server (tests/helpers/postgres.ts). `location` is what openStore and TBPS_DB take.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './postgres.js';

export const STORE_BACKENDS = ['sqlite', 'postgres'] as const;
export type StoreBackendName = (typeof STORE_BACKENDS)[number];

export interface StoreLocation {
  backend: StoreBackendName;
  /** A SQLite file path or a postgres:// URL. */
  location: string;
  /** Removes the file's folder or drops the database. */
  remove(): Promise<void>;
}

export async function freshStoreLocation(backend: StoreBackendName, tag: string): Promise<StoreLocation> {
  if (backend === 'postgres') {
    const db = await createTestDatabase(tag);
    return { backend, location: db.url, remove: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), `tbps-${tag}-`));
  return { backend, location: join(dir, 'runs.sqlite'), remove: async () => rmSync(dir, { recursive: true, force: true }) };
}
