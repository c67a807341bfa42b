// Group commit for the SQLite backend: write transactions asked for while one is being written go together into the
// next one, each inside its own savepoint (a failing one is rolled back alone and only its caller sees the error).
// A commit costs far more than the statements of one job attempt (WAL frames for every page touched, and now and
// then a checkpoint with its fsync, all on the caller's event loop); an executor running many short jobs records
// their attempts in a few commits instead of two per job. Every caller's promise settles after the commit that
// holds its work, so what it was told is stored is stored; a failed commit fails every transaction in it.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

interface Pending {
  fn: (trx: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * A writeTx that batches: `runBatch` gets a function to run inside one database connection (with the write lock
 * held by the caller's mutex) and runs it; `inTransaction` says whether the connection is still in a transaction
 * (after a failed statement SQLite may have rolled it back itself).
 */
export function groupCommitWriter(
  runBatch: (body: (conn: Kysely<Database>) => Promise<void>) => Promise<void>,
  inTransaction: () => boolean,
): <T>(fn: (trx: Kysely<Database>) => Promise<T>) => Promise<T> {
  let queue: Pending[] = [];
  let scheduled = false;

  const flush = async (): Promise<void> => {
    const batch = queue;
    queue = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await runBatch(async (conn) => {
        await sql.raw('begin immediate').execute(conn);
        try {
          for (const item of batch) {
            // One transaction alone needs no savepoint: its failure rolls the whole transaction back.
            if (batch.length > 1) await sql.raw('savepoint tbps_tx').execute(conn);
            try {
              const value = await item.fn(conn);
              if (batch.length > 1) await sql.raw('release tbps_tx').execute(conn);
              outcomes.push({ ok: true, value });
            } catch (error) {
              if (batch.length === 1) throw error;
              if (inTransaction()) {
                await sql.raw('rollback to tbps_tx').execute(conn);
                await sql.raw('release tbps_tx').execute(conn);
              }
              outcomes.push({ ok: false, error });
              if (!inTransaction()) throw error; // SQLite ended the transaction: nothing of this batch is kept
            }
          }
          await sql.raw('commit').execute(conn);
        } catch (e) {
          if (inTransaction()) await sql.raw('rollback').execute(conn);
          throw e;
        }
      });
    } catch (error) {
      // Nothing of this batch was committed: every transaction in it failed (the one that failed with its own error).
      batch.forEach((item, i) => {
        const own = outcomes[i];
        item.reject(own && !own.ok ? own.error : error);
      });
      return;
    }
    batch.forEach((item, i) => {
      const out = outcomes[i];
      if (out.ok) item.resolve(out.value);
      else item.reject(out.error);
    });
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // Let the callers of this turn of the event loop join the batch.
    setImmediate(() => {
      void (async () => {
        while (queue.length > 0) await flush();
        scheduled = false;
      })();
    });
  };

  return <T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      schedule();
    });
}
