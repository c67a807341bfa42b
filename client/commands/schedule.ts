// `tbps schedule create|list|pause|unpause|trigger|backfill|delete`: Temporal Schedules that start nightlyWorkflow,
// which picks the night from the scheduled time and starts a campaign from a template (a campaign spec YAML).
import path from 'node:path';
import type { Command } from 'commander';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { nightlyCampaign, nightWindow, parseDayObs } from '../../core/campaign/index.js';
import { loadCampaignSpec } from '../../core/campaign/load.js';
import { checkCampaignName } from '../../core/config/names.js';
import { BadInputError } from '../../core/errors.js';
import { orchestratorQueue } from '../../core/run/queues.js';
import { nightlyWorkflow, type NightlyInput, type NightlyResult } from '../../workflows/nightly.js';
import { connectClient } from '../../temporal/connection.js';
import { runAction, UsageError } from '../exit.js';
import { checkCampaign, defaultOperator } from './campaign.js';
import { taskQueuePrefix } from './submit.js';
import { checkCron, durationOption, offsetHoursOption, timeOption } from '../scheduleOptions.js';
import { describeVerb } from '../commandIndex.js';

/** Temporal refuses catch-up windows under 10 seconds. */
const MIN_CATCHUP_MS = 10_000;

/** gRPC status of a request the server refuses as invalid. */
const INVALID_ARGUMENT = 3;

const OVERLAP: Record<string, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  terminate_other: ScheduleOverlapPolicy.TERMINATE_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

function overlap(v: string): ScheduleOverlapPolicy {
  const p = OVERLAP[v.toLowerCase().replace(/-/g, '_')];
  if (p === undefined) throw new BadInputError(`unknown overlap policy '${v}'; expected one of ${Object.keys(OVERLAP).join(', ')}`, { key: '--overlap' });
  return p;
}

/** A schedule the server refuses as invalid (what the checks above let through) is bad input naming the options. */
function refusedByServer(err: unknown, options: string): unknown {
  const code = (err as { code?: unknown })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  if (code !== INVALID_ARGUMENT) return err;
  const detail = (err as { details?: string }).details ?? (err instanceof Error ? err.message : String(err));
  return new UsageError(`the Temporal server refused the schedule (${options}): ${detail.split('\n')[0]}`);
}

async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const { client, connection } = await connectClient();
  try {
    return await fn(client);
  } finally {
    await connection.close();
  }
}

export interface NightSummary {
  workflowId: string;
  status: string;
  night: string;
  campaign?: string;
  note: string;
}

/** The schedule's nightly workflows (newest first, at most `limit`), each with its night and note once it ended. */
async function recentNights(client: Client, workflowIdPrefix: string, limit = 20): Promise<NightSummary[]> {
  const out: NightSummary[] = [];
  // Temporal names a schedule's workflows <workflowId>-<scheduled time>; `trigger --day-obs` names them the same way.
  const id = workflowIdPrefix.replace(/'/g, '');
  const query = `WorkflowType = 'nightlyWorkflow' AND (WorkflowId = '${id}' OR WorkflowId STARTS_WITH '${id}-')`;
  for await (const wf of client.workflow.list({ query })) {
    const row: NightSummary = { workflowId: wf.workflowId, status: wf.status.name, night: '', note: '' };
    if (wf.status.name === 'COMPLETED') {
      const result = (await client.workflow.getHandle(wf.workflowId, wf.runId).result()) as NightlyResult;
      Object.assign(row, { night: result.window.night, campaign: result.campaign, note: result.note });
    } else if (wf.status.name === 'FAILED') {
      row.note = await client.workflow
        .getHandle(wf.workflowId, wf.runId)
        .result()
        .then(
          () => '',
          (err: unknown) => (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)),
        );
    }
    out.push(row);
    if (out.length >= limit) break;
  }
  return out;
}

async function existing(client: Client, id: string) {
  const h = client.schedule.getHandle(id);
  try {
    return { handle: h, desc: await h.describe() };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UsageError(`no schedule '${id}'; 'tbps schedule list' lists them`);
    throw err;
  }
}

export function registerSchedule(program: Command): void {
  const s = program.command('schedule').description(describeVerb('schedule'));

  s.command('create')
    .description('create a schedule that starts a campaign from a template for each night')
    .argument('<id>', 'schedule id')
    .requiredOption('--template <spec>', 'campaign spec YAML used as the template ({night}, {dayObs}, {nightStart}, {nightEnd} in data queries)')
    .option('--cron <expr>', 'cron expression (UTC)', '0 14 * * *')
    .option('--offset-hours <h>', 'hours the night boundary is shifted from 00:00 UTC (Rubin dayObs: 12)', '12')
    .option('--overlap <policy>', 'overlap policy: skip, buffer_one, buffer_all, cancel_other, terminate_other, allow_all', 'skip')
    .option('--catchup-window <duration>', 'how far back missed nights are caught up (e.g. 1d; at least 10s)', '1d')
    .option('--jitter <duration>', 'start each night at a random delay up to this (e.g. 10m)')
    .option('--paused', 'create it paused')
    .option('--operator <name>', 'operator of the campaigns', defaultOperator())
    .action((id: string, o, cmd: Command) =>
      runAction(async () => {
        checkCampaignName(id, 'schedule id');
        // the options first (cheap, and the server would answer with raw text), then the template
        checkCron(o.cron);
        const catchupWindow = durationOption(o.catchupWindow, '--catchup-window', MIN_CATCHUP_MS);
        const jitter = o.jitter === undefined ? undefined : durationOption(o.jitter, '--jitter');
        const offsetHours = offsetHoursOption(o.offsetHours);
        const pol = overlap(o.overlap);
        const template = loadCampaignSpec(o.template);
        const operator: string = cmd.getOptionValueSource('operator') === 'cli' ? o.operator : (template.operator ?? o.operator);
        await checkCampaign(nightlyCampaign(template, nightWindow(new Date(), offsetHours)), o.template, process.cwd(), operator);
        return withClient(async (client) => {
          const prefix = taskQueuePrefix();
          const input: NightlyInput = { templateFile: path.resolve(o.template), cwd: process.cwd(), taskQueuePrefix: prefix, operator, offsetHours };
          try {
            await client.schedule.create({
              scheduleId: id,
              spec: { cronExpressions: [o.cron], ...(jitter !== undefined ? { jitter } : {}) },
              action: { type: 'startWorkflow', workflowType: nightlyWorkflow, workflowId: `nightly/${id}`, taskQueue: orchestratorQueue(prefix), args: [input] },
              policies: { overlap: pol, catchupWindow },
              state: { paused: !!o.paused, note: `tbps nightly campaigns from ${path.resolve(o.template)}` },
            });
          } catch (err) {
            if (err instanceof ScheduleAlreadyRunning) throw new UsageError(`schedule '${id}' already exists`);
            throw refusedByServer(err, '--cron, --catchup-window, --jitter');
          }
          console.log(`created schedule ${id} (${o.cron}${o.paused ? ', paused' : ''}) starting nightly campaigns from ${o.template}`);
          return 0;
        });
      }),
    );

  s.command('list')
    .description('list schedules')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runAction(() =>
        withClient(async (client) => {
          const rows = [];
          for await (const sc of client.schedule.list()) {
            const d = await client.schedule.getHandle(sc.scheduleId).describe();
            rows.push({
              id: sc.scheduleId,
              paused: d.state.paused,
              note: d.state.note ?? '',
              next: d.info.nextActionTimes[0]?.toISOString() ?? '',
              recent: d.info.recentActions.slice(-1)[0]?.scheduledAt?.toISOString() ?? '',
              actions: d.info.numActionsTaken,
              lastNight: (await recentNights(client, (d.action as { workflowId: string }).workflowId, 1))[0],
            });
          }
          if (o.json) console.log(JSON.stringify(rows, null, 2));
          else if (rows.length === 0) console.log('no schedules');
          else
            for (const r of rows) {
              console.log(`${r.id}  ${r.paused ? 'PAUSED' : 'ACTIVE'}  next ${r.next || '-'}  last ${r.recent || '-'}  actions ${r.actions}  ${r.note}`);
              if (r.lastNight) console.log(`  last night ${r.lastNight.night || '-'}: ${r.lastNight.campaign ? `started ${r.lastNight.campaign}; ` : ''}${r.lastNight.note}`);
            }
          return 0;
        }),
      ),
    );

  for (const verb of ['pause', 'unpause'] as const)
    s.command(verb)
      .description(`${verb} a schedule`)
      .argument('<id>')
      .option('--note <text>')
      .action((id: string, o) =>
        runAction(() =>
          withClient(async (client) => {
            const { handle, desc } = await existing(client, id);
            if (verb === 'pause' && desc.state.paused) throw new UsageError(`schedule '${id}' is already paused`);
            if (verb === 'unpause' && !desc.state.paused) throw new UsageError(`schedule '${id}' is not paused`);
            await (verb === 'pause' ? handle.pause(o.note) : handle.unpause(o.note));
            console.log(`${verb}d schedule ${id}`);
            return 0;
          }),
        ),
      );

  s.command('trigger')
    .description('start the nightly workflow now (for the night before now, or the night --day-obs names)')
    .argument('<id>')
    .option('--day-obs <date>', 'run the schedule for this night (YYYYMMDD, e.g. 20131102) instead of the night before now')
    .action((id: string, o) =>
      runAction(() => {
        const night = o.dayObs === undefined ? undefined : parseDayObs(o.dayObs, '--day-obs');
        return withClient(async (client) => {
          const { handle, desc } = await existing(client, id);
          if (night === undefined) {
            await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
            console.log(`triggered schedule ${id}`);
            return 0;
          }
          // A given night: the schedule's own action with the night set (a schedule trigger cannot carry it).
          const action = desc.action as { args?: unknown[]; workflowId: string; taskQueue: string };
          const input = { ...(action.args?.[0] as NightlyInput), night };
          const workflowId = `${action.workflowId}-${night.replace(/-/g, '')}-${Date.now()}`;
          await client.workflow.start(nightlyWorkflow, { workflowId, taskQueue: action.taskQueue, args: [input] });
          console.log(`started ${workflowId} for night ${night} of schedule ${id}`);
          return 0;
        });
      }),
    );

  s.command('show')
    .description("a schedule's recent nights: each nightly workflow, its night, the campaign it started or its note")
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      runAction(() =>
        withClient(async (client) => {
          const { desc } = await existing(client, id);
          const nights = await recentNights(client, (desc.action as { workflowId: string }).workflowId);
          if (o.json) console.log(JSON.stringify({ id, paused: desc.state.paused, note: desc.state.note ?? '', nights }, null, 2));
          else {
            console.log(`${id}  ${desc.state.paused ? 'PAUSED' : 'ACTIVE'}  next ${desc.info.nextActionTimes[0]?.toISOString() ?? '-'}  ${desc.state.note ?? ''}`);
            if (nights.length === 0) console.log('no nightly workflows yet');
            for (const n of nights) console.log(`  ${n.night || '-'}  ${n.status.padEnd(10)}  ${n.campaign ?? '-'}  ${n.note}`);
          }
          return 0;
        }),
      ),
    );

  s.command('backfill')
    .description('run the schedule for past times: one nightly workflow per scheduled time in [start, end)')
    .argument('<id>')
    .requiredOption('--start <time>', 'ISO time, e.g. 2026-11-01T00:00:00Z')
    .requiredOption('--end <time>', 'ISO time')
    .option('--overlap <policy>', 'overlap policy for the backfilled actions', 'allow_all')
    .action((id: string, o) =>
      runAction(() => {
        const start = timeOption(o.start, '--start');
        const end = timeOption(o.end, '--end');
        if (end <= start) throw new BadInputError(`'${o.end}' is not after --start '${o.start}'`, { key: '--end' });
        const pol = overlap(o.overlap);
        return withClient(async (client) => {
          const { handle } = await existing(client, id);
          await handle.backfill([{ start, end, overlap: pol }]).catch((err) => {
            throw refusedByServer(err, '--start, --end');
          });
          console.log(`backfill of schedule ${id} requested for ${start.toISOString()} .. ${end.toISOString()}`);
          return 0;
        });
      }),
    );

  s.command('delete')
    .description('delete a schedule (campaigns it started keep running)')
    .argument('<id>')
    .action((id: string) =>
      runAction(() =>
        withClient(async (client) => {
          const { handle } = await existing(client, id);
          await handle.delete();
          console.log(`deleted schedule ${id}`);
          return 0;
        }),
      ),
    );
}
