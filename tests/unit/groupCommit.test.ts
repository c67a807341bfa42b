// Group commit of the SQLite store (store/groupCommit.ts) on a real SQLite database: write transactions asked for in
// the same turn of the event loop share one commit; one that fails is rolled back alone and only its caller hears
// of it; a transaction alone that fails leaves nothing behind.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { groupCommitWriter } from '../../store/groupCommit.js';
import type { Database } from '../../store/schema.js';

const raw = new BetterSqlite3(':memory:');
raw.exec('create table t (k text primary key, v integer)');
const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
let batches = 0;
const writeTx = groupCommitWriter(
  (body) => {
    batches++;
    return db.connection().execute(body);
  },
  () => raw.inTransaction,
);
afterAll(() => db.destroy());

const put = (k: string, v: number) => writeTx((trx) => sql`insert into t (k, v) values (${k}, ${v})`.execute(trx));
const rows = () => raw.prepare('select k, v from t order by k').all() as Array<{ k: string; v: number }>;

describe('group commit', () => {
  it('commits the write transactions of one turn of the event loop together', async () => {
    batches = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => put(`a${String(i).padStart(2, '0')}`, i)));
    expect(batches).toBe(1);
    expect(rows().filter((r) => r.k.startsWith('a'))).toHaveLength(20);
    expect(raw.inTransaction).toBe(false);
  });

  it('rolls back a failing transaction alone and fails only its caller', async () => {
    batches = 0;
    const results = await Promise.allSettled([
      put('b1', 1),
      writeTx(async (trx) => {
        await sql`insert into t (k, v) values ('b2', 2)`.execute(trx);
        await sql`insert into t (k, v) values ('b1', 9)`.execute(trx); // b1 exists: fails, b2 goes with it
      }),
      put('b3', 3),
    ]);
    expect(batches).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(rows().filter((r) => r.k.startsWith('b'))).toEqual([
      { k: 'b1', v: 1 },
      { k: 'b3', v: 3 },
    ]);
  });

  it('leaves nothing of a failing transaction that ran alone, and returns what a transaction returns', async () => {
    await expect(
      writeTx(async (trx) => {
        await sql`insert into t (k, v) values ('c1', 1)`.execute(trx);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(rows().filter((r) => r.k.startsWith('c'))).toEqual([]);
    expect(await writeTx(async (trx) => (await sql<{ n: number }>`select count(*) as n from t`.execute(trx)).rows[0].n)).toBe(22);
    expect(raw.inTransaction).toBe(false);
  });

  it('takes transactions asked for while a batch is written into the next batch', async () => {
    batches = 0;
    let inner: Promise<unknown> | undefined;
    await writeTx(async (trx) => {
      inner = put('d2', 2); // asked for during the first batch: written after it, in a batch of its own
      await sql`insert into t (k, v) values ('d1', 1)`.execute(trx);
    });
    await inner;
    expect(batches).toBe(2);
    expect(rows().filter((r) => r.k.startsWith('d'))).toHaveLength(2);
  });
});
