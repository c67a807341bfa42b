// `tbps report`, `tbps status`: runs and their job counts, error classes and provenance, from client/services.
import type { Command } from 'commander';
import { formatRunList } from '../../core/report/index.js';
import { stateCode, type State } from '../../core/states.js';
import { runAction, UsageError } from '../exit.js';
import { formatErrorSummary, formatProvenance, printRunReport } from '../reportView.js';
import { withServices } from '../services/context.js';
import { errorSummary } from '../services/errors-summary.js';
import { listRuns, runDetail } from '../services/runs.js';
import { describeVerb } from '../commandIndex.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(describeVerb('report'))
    .option('--id <run>', 'run id (uniqProcName); without it, list recent runs')
    .option('--campaign <name>', 'with --errors: every run of a campaign')
    .option('--errors', 'final failures grouped by error class (count, an example job and its line)')
    .option('--provenance', 'also show what produced the run (tbps and LSST versions, config snapshot, environment, host)')
    .option('--return-exit-codes', 'also summarise the exit codes of failed jobs (payload vs infrastructure)')
    .option('--limit <n>', 'how many runs to list', '20')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runAction(() =>
        withServices(async (ctx) => {
          if (o.campaign && !o.errors) throw new UsageError('--campaign goes with --errors (tbps campaign show NAME shows a campaign)');
          if (o.errors) {
            if (!!o.id === !!o.campaign) throw new UsageError('--errors needs exactly one of --id RUN or --campaign NAME');
            const summary = await errorSummary(ctx, o.id ? { runId: o.id } : { campaign: o.campaign });
            console.log(o.json ? JSON.stringify(summary, null, 2) : formatErrorSummary(summary));
            return 0;
          }
          if (!o.id) {
            const limit = Number(o.limit);
            if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a number >= 1, got '${o.limit}'`);
            const rows = await listRuns(ctx, { limit });
            if (o.json) console.log(JSON.stringify(rows, null, 2));
            else console.log(rows.length ? formatRunList(rows) : 'no runs yet: submit one with `tbps submit config.yaml`');
            return 0;
          }
          const detail = await runDetail(ctx, o.id);
          if (o.json) {
            const { run, labels, provenance } = detail;
            console.log(JSON.stringify({ run, labels, ...(o.provenance ? { provenance } : {}) }, null, 2));
            return 0;
          }
          const allFailed = o.returnExitCodes ? await ctx.store.jobsByState(o.id, 'FAILED', 1_000_000) : undefined;
          printRunReport(detail, { allFailed });
          if (o.provenance) {
            console.log();
            console.log(formatProvenance(detail.provenance));
          }
          return 0;
        }),
      ),
    );

  program
    .command('status')
    .description(describeVerb('status'))
    .requiredOption('--id <run>', 'run id (uniqProcName)')
    .action((o) =>
      runAction(() =>
        withServices(async (ctx) => {
          const run = await ctx.store.getRun(o.id);
          const state: State = run?.state ?? 'UNKNOWN';
          console.log(state);
          // Its workload system does not answer: the run is not stuck silently (see activities/wms.ts).
          if (run?.waiting) console.log(run.waiting);
          return stateCode(state);
        }),
      ),
    );
}
