// `tbps pilot submit|list|cancel`: executor workers of a compute site started as batch jobs (pilots; Slurm so far),
// which poll the site's task queue like any executor, drain before their walltime ends and exit; printed from
// client/services/pilots.ts.
import type { Command } from 'commander';
import { plainTable } from '../../core/report/table.js';
import { parseMemoryMb, parsePositiveCount, parseWalltime } from '../../core/pilots/request.js';
import { runAction, UsageError } from '../exit.js';
import { cancelPilots, checkPilotWms, listPilots, submitPilots, withServices, type PilotSelector, type PilotView } from '../services/index.js';
import { describeVerb } from '../commandIndex.js';

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(seconds % 60).padStart(2, '0')}s`;
}

function pilotTable(pilots: PilotView[]): string {
  if (pilots.length === 0) return 'no pilots';
  return plainTable(
    ['ID', 'WMS', 'WMS_ID', 'SITE', 'STATE', 'HOST', 'STARTED', 'WALLTIME_LEFT', 'JOBS_RUN'],
    pilots.map((p) => [p.pilotId, p.wms, p.wmsId || '-', p.site, p.state, p.host ?? '-', p.startedAt ? p.startedAt.replace(/\.\d+Z$/, 'Z') : '-', duration(p.walltimeLeftSeconds), p.jobsRun]),
    ['left', 'left', 'left', 'left', 'left', 'left', 'left', 'right', 'right'],
  ).join('\n');
}

export function registerPilot(program: Command): void {
  const pilot = program.command('pilot').description(describeVerb('pilot'));
  pilot
    .command('submit')
    .description('start executor workers of a site as batch jobs of a workload system (they poll tbps-site-<site>)')
    .requiredOption('--wms <name>', 'workload system: slurm or htcondor')
    .requiredOption('--site <site>', 'compute site whose jobs the pilots run (a run or --config uses it)')
    .requiredOption('--count <n>', 'number of pilots')
    .option('--walltime <time>', 'how long each pilot lives (90m, 2h, 1h30m, HH:MM:SS); it drains before the end', '2h')
    .option('--cpus <n>', 'CPUs per pilot (its job slots)', '1')
    .option('--memory <size>', 'memory per pilot (MiB, or 4G)', '4096')
    .option('--config <bps.yaml>', 'a BPS config naming the site (computeSite or site:), when no run used it yet')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runAction(async () => {
        const input = {
          wms: String(o.wms),
          site: String(o.site),
          count: parsePositiveCount(String(o.count), '--count'),
          walltimeSeconds: parseWalltime(String(o.walltime)),
          cpus: parsePositiveCount(String(o.cpus), '--cpus'),
          memoryMb: parseMemoryMb(String(o.memory)),
          configFile: o.config as string | undefined,
        };
        checkPilotWms(input.wms); // before the store is opened
        const started = await withServices((ctx) => submitPilots(ctx, input));
        if (o.json) console.log(JSON.stringify(started, null, 2));
        else for (const p of started) console.log(`pilot ${p.pilotId}: ${p.wms} job ${p.wmsId}, site ${p.site}, ${p.cpus} CPUs, ${p.memoryMb} MiB, walltime ${duration(p.walltimeSeconds)}`);
        return 0;
      }),
    );
  pilot
    .command('list')
    .description('pilots by id: WMS, site, state, started, walltime left, jobs run (unfinished ones refreshed from their WMS)')
    .option('--site <site>', 'only the pilots of this site')
    .option('--no-refresh', 'show the stored states without asking the workload systems')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runAction(async () => {
        const { pilots, warnings } = await withServices((ctx) => listPilots(ctx, { site: o.site, refresh: o.refresh }));
        for (const w of warnings) process.stderr.write(`tbps: warning: ${w}\n`);
        console.log(o.json ? JSON.stringify(pilots, null, 2) : pilotTable(pilots));
        return 0;
      }),
    );
  pilot
    .command('cancel')
    .description('cancel pilots: their executors stop and hand their running jobs back (retried by other executors)')
    .argument('[ids...]', 'pilot ids (tbps pilot list)')
    .option('--site <site>', 'every unfinished pilot of this site')
    .option('--all', 'every unfinished pilot')
    .action((ids: string[], o) =>
      runAction(async () => {
        const given = [ids.length > 0, !!o.site, !!o.all].filter(Boolean).length;
        if (given !== 1) throw new UsageError('give exactly one of: pilot IDs, --site SITE, --all');
        const selector: PilotSelector = ids.length > 0 ? { ids } : o.site ? { site: String(o.site) } : { all: true };
        const cancelled = await withServices((ctx) => cancelPilots(ctx, selector));
        console.log(cancelled.length === 0 ? 'no unfinished pilots to cancel' : cancelled.map((p) => `pilot ${p.pilotId} (${p.wms} job ${p.wmsId}): cancelled`).join('\n'));
        return 0;
      }),
    );
}
