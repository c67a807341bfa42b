// `tbps stats`: statistics of a run or a campaign, per job label (default) or per pipeline task label.
import type { Command } from 'commander';
import { formatLabelStats, formatTaskStats, labelStatsCsv, taskStatsCsv } from '../../core/report/stats-table.js';
import { runAction, UsageError } from '../exit.js';
import { statistics, withServices, type StatsScope } from '../services/index.js';
import { describeVerb } from '../commandIndex.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description(describeVerb('stats'))
    .option('--id <run>', 'run id (uniqProcName)')
    .option('--campaign <name>', 'every run of a campaign')
    .option('--by <what>', "'label' (job labels, the report's rows) or 'task' (pipeline task labels; clustered jobs split)", 'label')
    .option('--json', 'machine-readable output')
    .option('--csv', 'comma-separated output')
    .action((o) =>
      runAction(async () => {
        if (!!o.id === !!o.campaign) throw new UsageError('give exactly one of --id RUN or --campaign NAME');
        if (o.by !== 'label' && o.by !== 'task') throw new UsageError(`--by: expected 'label' or 'task', got '${o.by}'`);
        if (o.json && o.csv) throw new UsageError('give at most one of --json and --csv');
        const scope: StatsScope = o.id ? { runId: o.id } : { campaign: o.campaign };
        const stats = await withServices((ctx) => statistics(ctx, scope, { tasks: o.by === 'task' || !!o.json }));
        if (o.json) {
          console.log(JSON.stringify(stats, null, 2));
          return 0;
        }
        if (o.by === 'task') {
          console.log(o.csv ? taskStatsCsv(stats.tasks) : formatTaskStats(stats.tasks));
          if (!o.csv) {
            const splits = new Set(stats.tasks.map((t) => t.split));
            console.log(
              `\nsplit: job = one task per job; measured = clustered jobs' seconds split by pipetask's per-quantum timings; ` +
                `even = split by quanta (no timings in the logs)${splits.has('mixed') ? '; mixed = some of each' : ''}`,
            );
          }
          return 0;
        }
        console.log(o.csv ? labelStatsCsv([...stats.labels, stats.total]) : formatLabelStats(stats.labels, stats.total));
        if (!o.csv) console.log('\nwall times in seconds over attempts; failed = jobs whose last attempt failed; failed_att = failed attempts (retried or final); mem in MiB (peak RSS); wait = ready to started');
        return 0;
      }),
    );
}
