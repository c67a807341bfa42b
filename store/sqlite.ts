// SQLite backend: one better-sqlite3 connection per Store, WAL mode, busy timeout, and write transactions that take
// the write lock up front (BEGIN IMMEDIATE) so concurrent processes queue on busy_timeout instead of failing; those
// asked for together are committed together (groupCommit.ts), and prepared statements are kept (statementCache.ts).

import { chmodSync, closeSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { mkdirUnder, openUnder, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/files/confined.js';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Backend } from './backend.js';
import { MIGRATIONS, migrateToLatest } from './migrations.js';
import { withKeyLock } from './mutex.js';
import { cachingDatabase } from './statementCache.js';
import { groupCommitWriter } from './groupCommit.js';
import type { Database } from './schema.js';

const BUSY_TIMEOUT_MS = 30_000;

/** Opens (creating if needed) the SQLite file at path and brings its schema up to date. */
export async function openSqliteBackend(path: string): Promise<Backend> {
  const file = resolve(path);
  makePrivate(file);
  const lockKey = `sqlite:${file}`;

  const raw = await withKeyLock(lockKey, async () => {
    const conn = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (String(conn.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') {
        conn.pragma('journal_mode = WAL');
      }
      conn.pragma('synchronous = NORMAL');
      conn.pragma('cache_size = -65536');
      return conn;
    } catch (e) {
      conn.close();
      throw new Error(`cannot open store ${file}: ${(e as Error).message}`);
    }
  });

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) });

  // Write transactions asked for together are committed together (store/groupCommit.ts).
  const writeTx = groupCommitWriter(
    (body) => withKeyLock(lockKey, () => db.connection().execute(body)),
    () => raw.inTransaction,
  );

  const backend: Backend = {
    db,
    writeTx,
    // SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32.
    maxParams: 30_000,
    // Moves when another connection commits (constant time, no table read).
    dataVersion: async () => {
      const r = await sql<{ data_version: number }>`pragma data_version`.execute(db);
      return Number(r.rows[0]?.data_version ?? 0);
    },
    close: () => db.destroy(),
  };

  try {
    if (!(await migrationsApplied(db))) {
      await writeTx(async (conn) => migrateToLatest(conn));
    }
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return backend;
}

/**
 * The store holds every run's facts: its folder (when tbps creates it) is 0700 and the file 0600, created before
 * SQLite opens it, since SQLite gives the -wal and -shm files the mode of the database file.
 */
function makePrivate(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirUnder(dir, dir, PRIVATE_DIR_MODE);
  closeSync(openUnder(dir, file, { append: true, mode: PRIVATE_FILE_MODE }));
  for (const f of [`${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
}

async function migrationsApplied(db: Kysely<Database>): Promise<boolean> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(db);
  if (tables.rows.length === 0) return false;
  const done = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const have = new Set(done.rows.map((r) => r.name));
  return Object.keys(MIGRATIONS).every((n) => have.has(n));
}
