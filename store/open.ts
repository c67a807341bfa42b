// openStore: picks the backend from a file path or URL and returns a ready (migrated) Store.

import { openSqliteBackend } from './sqlite.js';
import { Store } from './store.js';

/**
 * Opens the run/job database. Accepts a SQLite file path (or `sqlite:` / `file:` URL); the file and its
 * folder are created if missing. PostgreSQL URLs are recognised but not supported yet.
 */
export async function openStore(pathOrUrl: string): Promise<Store> {
  const target = pathOrUrl.trim();
  if (target === '') throw new Error('openStore: empty database path');
  if (/^postgres(ql)?:\/\//i.test(target)) {
    throw new Error(`openStore: PostgreSQL store (${redact(target)}) is not yet supported; use a SQLite file path`);
  }
  let path = target;
  if (/^file:\/\//i.test(target)) path = new URL(target).pathname;
  else if (/^sqlite:/i.test(target)) path = target.replace(/^sqlite:(\/\/)?/i, '');
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new Error(`openStore: unsupported database URL scheme in '${redact(target)}'`);
  }
  return new Store(await openSqliteBackend(path));
}

/** Hides a password in a URL before it goes into an error message. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
