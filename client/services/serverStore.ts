// The store `tbps server start` gives its workers and dashboard: `--db` (saved in the data directory for the next
// start and for later CLI commands), else TBPS_DB or the saved one, else the SQLite file in the data directory. It
// is opened once before anything starts, so an unreachable PostgreSQL server or a bad password is one line and exit
// code 2 with nothing started.
import { isPostgresUrl, openStore, redactUrl } from '../../store/index.js';
import { defaultStoreLocation, saveStoreLocation, storeLocation } from '../../paths/index.js';
import { UsageError } from '../exit.js';

export interface ChosenStore {
  location: string;
  /** Records the choice of --db (nothing without it). */
  save(): void;
}

/** The store for this start: `--db VALUE` ('default': the data directory's SQLite file) or the current one. */
export function chooseStore(db: string | undefined): ChosenStore {
  if (db === undefined) return { location: storeLocation(), save: () => undefined };
  const value = db.trim();
  if (value === '') throw new UsageError("--db: expected a SQLite file, a postgres:// URL or 'default', got ''");
  if (value === 'default') return { location: defaultStoreLocation(), save: () => saveStoreLocation(undefined) };
  return { location: value, save: () => saveStoreLocation(value) };
}

/** Opens (creating or migrating) and closes the store; any failure is a one-line usage error naming `what`. */
export async function checkStore(store: ChosenStore, what: string): Promise<void> {
  let opened;
  try {
    opened = await openStore(store.location);
  } catch (err) {
    const message = (err as Error).message.replace(/^openStore: /, '');
    const where = isPostgresUrl(store.location) || message.includes(store.location) ? '' : ` ${store.location}`;
    throw new UsageError(`${what}${where}: ${redactUrl(message)}`);
  }
  await opened.close();
}

/** A store location as shown to the user (password hidden). */
export function shownStore(location: string): string {
  return isPostgresUrl(location) ? `${redactUrl(location)} (PostgreSQL)` : `${location} (SQLite)`;
}
