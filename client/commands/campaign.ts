// `tbps campaign start|plan|list|show|pause|resume|edit|accept|reject|retry|skip|cancel`: operate campaigns (ordered steps,
// each split into groups = runs) through campaignWorkflow (id campaign/<name>). Bad input (spec errors, a split with
// zero groups, an edit of a started step, a resume of a campaign that is not paused, ...) is one message and exit 2;
// nothing is started or changed.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { campaignWorkflowId, splitStep, type CampaignInput, type CampaignSpec, type CampaignView, type GroupAction } from '../../core/campaign/index.js';
import { loadCampaignSpec } from '../../core/campaign/load.js';
import { readYamlMapping } from '../../core/config/index.js';
import { checkCampaignName, checkName } from '../../core/config/names.js';
import { BadInputError } from '../../core/errors.js';
import { orchestratorQueue } from '../../core/run/queues.js';
import { BpsCampaign, BpsOperator, BpsRunState, BpsStep } from '../../workflows/searchKeys.js';
import { prepareGroupRun } from '../../core/submit/groupRun.js';
import { connectClient } from '../../temporal/connection.js';
import { runAction, UsageError } from '../exit.js';
import { cancelCampaign, campaignStatus, editStep, groupAction, listCampaigns, pauseCampaign, resumeCampaign, withServices, type ServiceContext } from '../services/index.js';
import { webUiUrl } from '../links.js';
import { pollerCount } from '../pollers.js';
import { campaignWorkflow } from '../../workflows/campaign.js';
import { taskQueuePrefix } from './submit.js';
import { countOption } from '../numberOptions.js';
import { describeVerb } from '../commandIndex.js';
import { checkPlanInputs, planCampaign } from './campaignPlan.js';
import { formatPlan } from './campaignPlanText.js';

/** Campaign commands need Temporal: it is connected before the store opens, so a bad connection setting writes nothing. */
function withCampaignServices<T>(fn: (ctx: ServiceContext) => Promise<T>): Promise<T> {
  return withServices(fn, { connectFirst: true });
}

export function defaultOperator(): string {
  if (process.env.USER) return process.env.USER;
  if (process.env.LOGNAME) return process.env.LOGNAME;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Checks a campaign before it starts: the spec, and the config of the first group of every step. Writes nothing. */
export async function checkCampaign(spec: CampaignSpec, file: string, cwd: string, operator: string): Promise<void> {
  for (let i = 0; i < spec.steps.length; i++) {
    const step = spec.steps[i];
    const groups = splitStep(step);
    if (groups.length === 0) throw new BadInputError(`the split of step '${step.name}' yields zero groups`, { file, key: `steps[${step.name}].split` });
    try {
      await prepareGroupRun({ campaign: spec, step, previousStep: i > 0 ? spec.steps[i - 1].name : undefined, group: groups[0], cwd, taskQueuePrefix: taskQueuePrefix(), operator });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new BadInputError(`step '${step.name}': the run of group ${groups[0].id} would fail: ${msg}`, { file });
    }
  }
}

async function withClient<T>(fn: (client: Client, settings: Awaited<ReturnType<typeof connectClient>>['settings']) => Promise<T>): Promise<T> {
  const { client, connection, settings } = await connectClient();
  try {
    return await fn(client, settings);
  } finally {
    await connection.close();
  }
}

function groupsOpt(v: string | undefined): string[] | undefined {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

function pad(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ')).join('\n');
}

export function formatCampaign(s: CampaignView): string {
  const out: string[] = [];
  out.push(`Campaign ${s.name}  ${s.phase}${s.paused ? ` (paused: ${s.pauseReason ?? ''})` : ''}  operator ${s.operator}  started ${s.startedAt}${s.endedAt ? `  ended ${s.endedAt}` : ''}`);
  const rows = [['STEP', 'STATUS', 'GROUP', 'RUN', 'STATE', 'EXEC', 'SUCCEEDED', 'FAILED', 'PRUNED', 'DECISION']];
  s.steps.forEach((ss, i) => {
    const step = s.spec.steps[i];
    const flags = [ss.edited ? 'edited' : '', step?.gate ? 'gate' : '', ss.decision ?? ''].filter(Boolean).join(',');
    if (ss.groups.length === 0) rows.push([ss.name, ss.status + (flags ? ` (${flags})` : ''), '-', '-', '-', '-', '-', '-', '-', '-']);
    ss.groups.forEach((g, k) =>
      rows.push([
        k === 0 ? ss.name : '',
        k === 0 ? ss.status + (flags ? ` (${flags})` : '') : '',
        g.id,
        g.runId,
        g.status,
        String(g.executions),
        String(g.counts?.succeeded ?? '-'),
        String(g.counts?.failed ?? '-'),
        String(g.counts?.pruned ?? '-'),
        g.decision ?? '',
      ]),
    );
  });
  out.push('', pad(rows));
  if (s.actions.length > 0) {
    out.push('', 'Operator actions:');
    for (const a of s.actions.slice(-20))
      out.push(`  ${a.at}  ${a.action.padEnd(10)} ${a.operator.padEnd(10)} ${[a.step, a.groups?.join(',')].filter(Boolean).join(' ')}${a.detail ? `  ${a.detail}` : ''}`);
  }
  return out.join('\n');
}

export function registerCampaign(program: Command): void {
  const c = program.command('campaign').description(describeVerb('campaign'));
  const opOpt = (cmd: Command) => cmd.option('--operator <name>', 'who acts (recorded in the campaign history)', defaultOperator());

  opOpt(
    c
      .command('start')
      .description('validate a campaign spec and start campaignWorkflow (id campaign/<name>)')
      .argument('<spec>', 'campaign YAML')
      .option('--name <name>', 'campaign name (default: name in the spec)')
      .option('--wait', 'wait for the campaign to end, showing progress')
      .option('--json', 'print the start result as JSON')
      .option('--continue-as-new-after <events>', 'continue-as-new (at a step boundary, or inside a step once its groups in flight end) once the history has more events than this (default: when Temporal suggests it)'),
  ).action((file: string, o, cmd: Command) =>
    runAction(async () => {
      let spec = loadCampaignSpec(file);
      if (o.name) {
        checkCampaignName(o.name, '--name');
        spec = { ...spec, name: o.name };
      }
      const cwd = process.cwd();
      if (o.continueAsNewAfter !== undefined && !(Number(o.continueAsNewAfter) >= 0)) throw new BadInputError(`not a number of events: '${o.continueAsNewAfter}'`, { key: '--continue-as-new-after' });
      // --operator given > the spec's operator (like BPS's operator key) > the login name
      const operator: string = cmd.getOptionValueSource('operator') === 'cli' ? o.operator : (spec.operator ?? o.operator);
      checkName(operator, cmd.getOptionValueSource('operator') === 'cli' ? '--operator' : 'operator', { file: cmd.getOptionValueSource('operator') === 'cli' ? undefined : file });
      await checkCampaign(spec, file, cwd, operator);
      return withClient(async (client, settings) => {
        const prefix = taskQueuePrefix();
        const input: CampaignInput = { spec, specFile: file, cwd, taskQueuePrefix: prefix, operator };
        if (o.continueAsNewAfter !== undefined) input.continueAsNewAfterEvents = Number(o.continueAsNewAfter);
        const id = campaignWorkflowId(spec.name);
        try {
          await client.workflow.start(campaignWorkflow, {
            taskQueue: orchestratorQueue(prefix),
            workflowId: id,
            // A campaign name is used once: its runs, submit directories and collections are named after it.
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [input],
            typedSearchAttributes: [
              { key: BpsCampaign, value: spec.name },
              { key: BpsOperator, value: operator },
              { key: BpsRunState, value: 'RUNNING' },
            ],
          });
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) throw new UsageError(`campaign '${spec.name}' already exists ('tbps campaign show ${spec.name}'); start it under another name with --name`);
          throw err;
        }
        if (o.json) console.log(JSON.stringify({ campaign: spec.name, workflowId: id, steps: spec.steps.map((s) => ({ name: s.name, groups: splitStep(s).length })) }));
        else {
          console.log(`Started campaign ${spec.name}: ${spec.steps.map((s) => `${s.name} (${splitStep(s).length} groups)`).join(' -> ')}`);
          console.log(`  Temporal : ${webUiUrl(settings, id)}`);
          console.log(`  show     : npx tbps campaign show ${spec.name}`);
          if ((await pollerCount(client, orchestratorQueue(prefix), 'workflow')) === 0)
            console.log(`  warning: no orchestrator worker polls '${orchestratorQueue(prefix)}'; start one with 'npx tbps server start'`);
        }
        if (!o.wait) return 0;
        return withCampaignServices(async (ctx) => {
          let last = '';
          for (;;) {
            const { status, running } = await campaignStatus(ctx, spec.name);
            const line = `${status.phase} step ${status.steps[Math.min(status.current, status.steps.length - 1)]?.name}: ${status.steps
              .map((s) => `${s.name}=${s.groups.filter((g) => g.status === 'SUCCEEDED').length}/${s.groups.length || '-'}`)
              .join(' ')}`;
            if (line !== last) console.log(line);
            last = line;
            if (!running) {
              console.log(formatCampaign(status));
              return status.phase === 'SUCCEEDED' ? 0 : 1;
            }
            await new Promise((r) => setTimeout(r, 2000));
          }
        });
      });
    }),
  );

  c.command('plan')
    .description('what a campaign would cost: per step and group the quanta and jobs per label, and CPU-hours, peak memory and wall time from past runs')
    .argument('<spec>', 'campaign YAML')
    .option('--json', 'machine-readable output')
    .option('--operator <name>', 'operator the campaign would run as (its output collections)', defaultOperator())
    .action((file: string, o, cmd: Command) =>
      runAction(async () => {
        const spec = loadCampaignSpec(file);
        const operator: string = cmd.getOptionValueSource('operator') === 'cli' ? o.operator : (spec.operator ?? o.operator);
        const request = { spec, file, cwd: process.cwd(), operator, taskQueuePrefix: taskQueuePrefix() };
        checkPlanInputs(request);
        return withServices(async (ctx) => {
          const plan = await planCampaign(ctx, { ...request, progress: (line) => !o.json && process.stderr.write(`${line}\n`) });
          console.log(o.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
          return 0;
        });
      }),
    );

  c.command('list')
    .description('list campaigns, running and most recent first')
    .option('--limit <n>', 'how many', '20')
    .option('--days <n>', 'ended campaigns: only those ended within this many days (0: all)', '7')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runAction(() => {
        const limit = countOption(o.limit, '--limit');
        return withCampaignServices(async (ctx) => {
          const shown = await listCampaigns(ctx, { endedWithinDays: Number(o.days), limit });
          if (o.json) console.log(JSON.stringify(shown, null, 2));
          else if (shown.length === 0) console.log("no campaigns yet: start one with 'tbps campaign start campaign.yaml'");
          else console.log(pad([['CAMPAIGN', 'WORKFLOW', 'STATE', 'STEP', 'OPERATOR', 'STARTED'], ...shown.map((r) => [r.name, r.status, r.state, r.step, r.operator, r.started])]));
          return 0;
        });
      }),
    );

  c.command('show')
    .description('steps, groups (runs) and operator actions of a campaign')
    .argument('<name>')
    .option('--json', 'machine-readable output (the status query)')
    .action((name: string, o) =>
      runAction(() =>
        withCampaignServices(async (ctx) => {
          const { status } = await campaignStatus(ctx, name);
          console.log(o.json ? JSON.stringify(status, null, 2) : formatCampaign(status));
          return 0;
        }),
      ),
    );

  opOpt(c.command('pause').description('pause: running groups finish, nothing new starts').argument('<name>').option('--reason <text>')).action((name: string, o) =>
    runAction(() =>
      withCampaignServices(async (ctx) => {
        await pauseCampaign(ctx, name, { operator: o.operator, reason: o.reason });
        console.log(`pause requested for campaign ${name}: running groups finish, nothing new starts`);
        return 0;
      }),
    ),
  );

  opOpt(c.command('resume').description('resume a paused campaign').argument('<name>').option('--reason <text>')).action((name: string, o) =>
    runAction(() =>
      withCampaignServices(async (ctx) => {
        await resumeCampaign(ctx, name, { operator: o.operator, reason: o.reason });
        console.log(`resumed campaign ${name}`);
        return 0;
      }),
    ),
  );

  opOpt(
    c
      .command('edit')
      .description('edit a step that has not started yet (pipeline, data query, overrides, split, policy, gate)')
      .argument('<name>')
      .requiredOption('--step <step>', 'step to edit')
      .option('--pipeline <uri>', 'pipelineYaml of the step')
      .option('-d, --data-query <query>', 'data query of the step')
      .option('--set <key=value...>', 'config override of the step (value parsed as YAML), repeatable')
      .option('--gate <bool>', 'true: wait for accept after the step')
      .option('--patch <file>', 'YAML file with step fields to change'),
  ).action((name: string, o) =>
    runAction(() => {
      const patch: Record<string, unknown> = {};
      if (o.patch) {
        if (!existsSync(o.patch)) throw new BadInputError('file not found', { file: o.patch });
        Object.assign(patch, readYamlMapping(o.patch, path.resolve(o.patch)) ?? {});
      }
      if (o.pipeline) patch.pipelineYaml = o.pipeline;
      if (o.dataQuery !== undefined) patch.dataQuery = o.dataQuery;
      if (o.gate !== undefined) patch.gate = o.gate === 'true';
      for (const kv of (o.set as string[] | undefined) ?? []) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new BadInputError(`expected key=value, got '${kv}'`, { key: '--set' });
        patch.overrides = { ...((patch.overrides as object) ?? {}), [kv.slice(0, eq)]: parseYaml(kv.slice(eq + 1)) };
      }
      if (Object.keys(patch).length === 0) throw new UsageError('nothing to edit: give --pipeline, --data-query, --set, --gate or --patch');
      return withCampaignServices(async (ctx) => {
        await editStep(ctx, name, { operator: o.operator, step: o.step, patch });
        console.log(`edited step ${o.step} of campaign ${name}: ${JSON.stringify(patch)}`);
        return 0;
      });
    }),
  );

  const groupCmd = (verb: 'accept' | 'reject' | 'retry' | 'skip', what: string) =>
    opOpt(
      c
        .command(verb)
        .description(what)
        .argument('<name>')
        .requiredOption('--step <step>', 'step')
        .option('--group <ids>', 'group ids, comma-separated (default: the whole step / its failed groups)')
        .option('--note <text>', 'recorded with the action'),
    ).action((name: string, o) =>
      runAction(() =>
        withCampaignServices(async (ctx) => {
          const arg: GroupAction = { operator: o.operator, step: o.step, groups: groupsOpt(o.group), note: o.note };
          const r = await groupAction(ctx, name, verb, arg);
          console.log(`${verb} ${o.step}${r.groups?.length ? ` ${r.groups.join(',')}` : ''} of campaign ${name}: done`);
          return 0;
        }),
      ),
    );
  groupCmd('accept', 'accept a finished step (opens its gate) or finished groups (failures accepted)');
  groupCmd('reject', 'reject a finished step or group (a rejected gated step stays closed)');
  groupCmd('retry', "retry the failed groups of a step: each re-runs only its failed jobs (restart of run/<campaign>_<step>_g<k>)");
  groupCmd('skip', 'skip pending or failed groups of a started step');

  opOpt(c.command('cancel').description('cancel a campaign: running groups are cancelled gracefully').argument('<name>')).action((name: string) =>
    runAction(() =>
      withCampaignServices(async (ctx) => {
        await cancelCampaign(ctx, name);
        console.log(`cancel requested for campaign ${name}`);
        return 0;
      }),
    ),
  );
}
