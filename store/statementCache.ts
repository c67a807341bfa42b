// Prepared statements kept by SQL text for the SQLite backend. Kysely's SQLite driver prepares every query it runs;
// parsing the same few statements again for every job attempt was a third of the executor's store time. Statements
// are reused while idle (a statement still being iterated gets a fresh one) and the least recently used beyond
// STATEMENTS_KEPT are dropped (IN lists of varying length make distinct texts).
import type BetterSqlite3 from 'better-sqlite3';

export const STATEMENTS_KEPT = 256;

/** The database as Kysely's SqliteDialect sees it, with prepare() served from the cache. */
export function cachingDatabase(db: BetterSqlite3.Database): { prepare(sql: string): BetterSqlite3.Statement; close(): void } {
  const kept = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string) {
      const hit = kept.get(sql);
      if (hit && !hit.busy) {
        kept.delete(sql); // most recently used last
        kept.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      if (!hit) {
        kept.set(sql, stmt);
        if (kept.size > STATEMENTS_KEPT) kept.delete(kept.keys().next().value!);
      }
      return stmt;
    },
    close() {
      kept.clear();
      db.close();
    },
  };
}
