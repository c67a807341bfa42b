// PostgreSQL backend: a small pg connection pool per Store, the same migrations as SQLite, and write transactions
// that take one database-wide advisory lock first, so the writers of every process and host run one after the
// other, as SQLite's BEGIN IMMEDIATE makes them (read-then-write updates such as the per-label statistics rely on
// it). Reads go through the pool without that lock. Value differences are handled in postgresValues.ts.

import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Backend } from './backend.js';
import { StoreUnreachableError, redactUrl } from './errors.js';
import { MIGRATIONS, migrateToLatest } from './migrations.js';
import { withKeyLock } from './mutex.js';
import { NulTextPlugin, storeTypes } from './postgresValues.js';
import type { Database } from './schema.js';

/** Connections per Store: one for the (in-process serialised) writer, the rest for concurrent reads. */
const POOL_SIZE = 4;
const CONNECT_TIMEOUT_MS = 10_000;
/** The store's write lock: pg_advisory_xact_lock(key1, key2), key1 = 'tbps' as an int4, key2 = 1. */
const WRITE_LOCK = sql`pg_advisory_xact_lock(${sql.lit(0x74627073)}, ${sql.lit(1)})`;

/** Opens the PostgreSQL database at url (which must exist) and brings its schema up to date. */
export async function openPostgresBackend(url: string): Promise<Backend> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'tbps',
    types: storeTypes,
  });
  // An idle connection the server dropped (restart, network): the pool replaces it on next use; queries report it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new NulTextPlugin()] });
  // One writer at a time per database and process: waiters queue here rather than each holding a connection.
  const lockKey = `postgres:${url}`;

  const writeTx = <T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    withKeyLock(lockKey, () =>
      // READ COMMITTED (whatever the database's default): each statement sees what committed before it, so after
      // the lock is granted the transaction reads the previous writer's changes.
      db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async (trx) => {
          await sql`select ${WRITE_LOCK}`.execute(trx);
          return fn(trx);
        }),
    );

  const backend: Backend = {
    db,
    writeTx,
    // The protocol allows 65535 bound parameters per statement.
    maxParams: 60_000,
    // The write-ahead log position (bytes): it moves with every commit that changed something (on a standby, with
    // every change replayed). No table of its own, constant time.
    dataVersion: async () => {
      const r = await sql<{ v: number }>`select (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_insert_lsn() end - '0/0'::pg_lsn) as v`.execute(db);
      return Number(r.rows[0]?.v ?? 0);
    },
    close: () => db.destroy(),
  };

  try {
    let applied: boolean;
    try {
      applied = await migrationsApplied(db);
    } catch (e) {
      throw unreachable(url, e);
    }
    // The Migrator's own transaction and advisory lock make concurrent first opens safe.
    if (!applied) await migrateToLatest(db, { ownTransaction: true });
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return backend;
}

async function migrationsApplied(db: Kysely<Database>): Promise<boolean> {
  const table = await sql<{ present: boolean }>`select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!table.rows[0]?.present) return false;
  const done = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const have = new Set(done.rows.map((r) => r.name));
  return Object.keys(MIGRATIONS).every((n) => have.has(n));
}

/** The first contact failed: one line saying where (password hidden) and why, with what usually fixes it. */
function unreachable(url: string, err: unknown): StoreUnreachableError {
  const e = err as { code?: string; message?: string };
  const raw = String(e?.message ?? err);
  let why: string;
  switch (e?.code) {
    case 'ECONNREFUSED':
      why = 'connection refused (is the server running and listening on that host and port?)';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      why = `unknown host (${raw})`;
      break;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      why = `no route to the server (${raw})`;
      break;
    case '28P01':
      why = `${raw} (check the password in the URL, PGPASSWORD or ~/.pgpass)`;
      break;
    case '3D000':
      why = `${raw} (create it first, e.g. createdb, or name an existing database in the URL)`;
      break;
    default:
      if (/timeout/i.test(raw)) why = `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (${raw})`;
      else if (/SASL|password must be a string/i.test(raw)) why = `the server asks for a password and none was given (put it in the URL, PGPASSWORD or ~/.pgpass)`;
      else why = raw;
  }
  return new StoreUnreachableError(`cannot open the PostgreSQL store ${redactUrl(url)}: ${hidePassword(why, url)}`);
}

/** Belt and braces: a driver message never quotes the password, but should one do so it is hidden too. */
function hidePassword(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  return password.length >= 3 ? text.split(password).join('***') : text;
}
