// Progress while `submit --wait` (or `report --wait`) follows a run: one status line, refreshed in place on a
// terminal, every 15 s otherwise; then the report. Reads counts from the store, not from workflow history.
import type { Client } from '@temporalio/client';
import { totalCounts } from '../core/report/index.js';
import { runWorkflowId } from '../core/run/queues.js';
import { openStore } from '../store/index.js';
import { storeLocation } from '../temporal/paths.js';
import { printRunReport } from './reportView.js';

export async function waitAndReport(client: Client, runId: string): Promise<number> {
  const handle = client.workflow.getHandle(runWorkflowId(runId));
  const store = await openStore(storeLocation());
  const tty = process.stdout.isTTY;
  const t0 = Date.now();
  let lastPrint = 0;
  try {
    for (;;) {
      const desc = await handle.describe();
      const closed = desc.status.name !== 'RUNNING';
      const { counts: tot, expected } = totalCounts(await store.labelCounts(runId));
      const run = await store.getRun(runId);
      const line =
        `[${Math.round((Date.now() - t0) / 1000)}s] ${run?.state ?? 'PENDING'}  ` +
        `succeeded ${tot.SUCCEEDED ?? 0}/${expected}  running ${tot.RUNNING ?? 0}  failed ${tot.FAILED ?? 0}  pruned ${tot.PRUNED ?? 0}`;
      if (tty) process.stdout.write(`\r${line}\x1b[K`);
      else if (closed || Date.now() - lastPrint > 15_000) {
        console.log(line);
        lastPrint = Date.now();
      }
      if (closed) {
        if (tty) process.stdout.write('\n');
        if (desc.status.name !== 'COMPLETED') console.log(`workflow ${desc.status.name.toLowerCase()}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    const state = await printRunReport(store, runId);
    return state === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await store.close();
  }
}
