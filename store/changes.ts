// A cheap change counter of the whole database, for live views: it moves whenever another connection (a worker, the
// CLI) commits, so a watcher re-reads only after a change. SQLite's `PRAGMA data_version` (constant-time, no table
// read); a PostgreSQL backend would use a counter of its own.

import { sql } from 'kysely';
import type { Backend } from './backend.js';
import { num } from './convert.js';

export async function dataVersion(b: Backend): Promise<number> {
  const r = await sql<{ data_version: number }>`pragma data_version`.execute(b.db);
  return num(r.rows[0]?.data_version ?? 0);
}
