// The dialect-neutral handle the store's query modules use: a Kysely instance for reads, a write transaction, and the
// few things each database does its own way (parameter limit, change counter). Backends: sqlite.ts, postgres.ts.

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Backend {
  /** For reads (and nothing that writes: every write goes through writeTx). */
  readonly db: Kysely<Database>;
  /**
   * Runs fn in one write transaction that holds the database's write lock from its start: write transactions of
   * every process on the database run one after the other, so a read-then-write inside fn sees the last commit.
   */
  writeTx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Largest number of bound parameters to put in one statement. */
  readonly maxParams: number;
  /** A number that moves when a change to the database is committed (by another connection at least); cheap. */
  dataVersion(): Promise<number>;
  close(): Promise<void>;
}
