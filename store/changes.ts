// A cheap change counter of the whole database, for live views: it moves whenever another connection (a worker, the
// CLI) commits, so a watcher re-reads only after a change. Each backend has its own (sqlite.ts: PRAGMA data_version;
// postgres.ts: the write-ahead log position).

import type { Backend } from './backend.js';

export function dataVersion(b: Backend): Promise<number> {
  return b.dataVersion();
}
