// The dialect-neutral handle the store's query modules use: a Kysely instance for reads and a write transaction.

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Backend {
  /** For reads (and nothing that writes: every write goes through writeTx). */
  readonly db: Kysely<Database>;
  /** Runs fn in one write transaction that holds the database's write lock from its start. */
  writeTx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Largest number of bound parameters to put in one statement. */
  readonly maxParams: number;
  close(): Promise<void>;
}
