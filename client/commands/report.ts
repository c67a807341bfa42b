// `tbps report`, `tbps status`: runs and their job counts from the store.
import type { Command } from 'commander';
import { formatRunList } from '../../core/report/index.js';
import { stateCode, type State } from '../../core/states.js';
import { openStore } from '../../store/index.js';
import { storeLocation } from '../../temporal/paths.js';
import { runAction, UsageError } from '../exit.js';
import { printRunReport } from '../reportView.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('list runs, or show one run per label (BPS states, EXPECTED, TOTAL) with its failed jobs')
    .option('--id <run>', 'run id (uniqProcName); without it, list recent runs')
    .option('--return-exit-codes', 'also summarise the exit codes of failed jobs (payload vs infrastructure)')
    .option('--limit <n>', 'how many runs to list', '20')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runAction(async () => {
        const store = await openStore(storeLocation());
        try {
          if (!o.id) {
            const runs = await store.listRuns({ limit: Number(o.limit) });
            const rows = await Promise.all(runs.map(async (r) => ({ ...r, counts: await store.stateCounts(r.runId) })));
            if (o.json) console.log(JSON.stringify(rows, null, 2));
            else console.log(rows.length ? formatRunList(rows) : 'no runs yet: submit one with `tbps submit config.yaml`');
            return 0;
          }
          if (o.json) {
            const run = await store.getRun(o.id);
            if (!run) throw new UsageError(`no run '${o.id}'; 'tbps report' lists the runs`);
            console.log(JSON.stringify({ run, labels: await store.labelCounts(o.id) }, null, 2));
            return 0;
          }
          const state = await printRunReport(store, o.id, { exitCodes: !!o.returnExitCodes });
          if (!state) throw new UsageError(`no run '${o.id}'; 'tbps report' lists the runs`);
          return 0;
        } finally {
          await store.close();
        }
      }),
    );

  program
    .command('status')
    .description('print the state of a run; the exit code is the state number (UNKNOWN=0 ... SUCCEEDED=8, FAILED=9, PRUNED=10)')
    .requiredOption('--id <run>', 'run id (uniqProcName)')
    .action((o) =>
      runAction(async () => {
        const store = await openStore(storeLocation());
        try {
          const run = await store.getRun(o.id);
          const state: State = run?.state ?? 'UNKNOWN';
          console.log(state);
          return stateCode(state);
        } finally {
          await store.close();
        }
      }),
    );
}
