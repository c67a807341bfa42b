// Progress while `submit --wait` (or `report --wait`) follows a run: one status line, refreshed in place on a
// terminal, every 15 s otherwise; then the report. Reads counts from the store, not from workflow history.
import type { Client } from '@temporalio/client';
import { totalCounts } from '../core/report/index.js';
import { runWorkflowId } from '../core/run/queues.js';
import { printRunReport } from './reportView.js';
import { openServices, runDetail } from './services/index.js';

export async function waitAndReport(client: Client, runId: string): Promise<number> {
  const handle = client.workflow.getHandle(runWorkflowId(runId));
  const ctx = await openServices();
  const store = ctx.store;
  const tty = process.stdout.isTTY;
  const t0 = Date.now();
  let lastPrint = 0;
  // Settles when the run's workflow closes (a long poll, following continue-as-new): the wait ends then, not at the
  // next 2 s tick. Its outcome is read from describe() below.
  const closing = handle.result().then(
    () => undefined,
    () => undefined,
  );
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
      let tick: NodeJS.Timeout | undefined;
      await Promise.race([closing, new Promise((r) => (tick = setTimeout(r, 2000)))]);
      clearTimeout(tick);
    }
    const detail = await runDetail(ctx, runId);
    printRunReport(detail);
    return detail.run.state === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await ctx.close();
  }
}
