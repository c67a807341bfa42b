// openStore: picks the backend from a file path or URL and returns a ready (migrated) Store.

import { redactUrl } from './errors.js';
import { openSqliteBackend } from './sqlite.js';
import { Store } from './store.js';

/** postgres:// or postgresql:// URLs name a PostgreSQL store. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/**
 * Opens the run/job database: a SQLite file path (or `sqlite:` / `file:` URL; the file and its folder are created
 * if missing) or a PostgreSQL URL (`postgres://user:password@host:port/database`, the database must exist; its
 * tables are created or brought up to date). An unreachable server or a refused login is a StoreUnreachableError.
 */
export async function openStore(pathOrUrl: string): Promise<Store> {
  const target = pathOrUrl.trim();
  if (target === '') throw new Error('openStore: empty database path');
  if (isPostgresUrl(target)) {
    // Loaded only for PostgreSQL stores: SQLite users never load the pg driver.
    const { openPostgresBackend } = await import('./postgres.js');
    return new Store(await openPostgresBackend(target));
  }
  let path = target;
  if (/^file:\/\//i.test(target)) path = new URL(target).pathname;
  else if (/^sqlite:/i.test(target)) path = target.replace(/^sqlite:(\/\/)?/i, '');
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new Error(`openStore: unsupported database URL scheme in '${redactUrl(target)}' (expected a SQLite file path or a postgres:// URL)`);
  }
  return new Store(await openSqliteBackend(path));
}
