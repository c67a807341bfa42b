// The CampaignManager (workflows/campaignManager.ts) on the real Temporal dev server through TestWorkflowEnvironment,
// with stub activities and a stub run workflow (tests/helpers/campaignStubs/) in place of real runs, so each
// group's outcome and timing is the test's to decide: steps run in order with compact state and only the group's
// own values in each group's activity input; refused operator actions change nothing; a failed group auto-pauses
// the campaign and a retry restarts only it; and with a lowered threshold the campaign continues-as-new inside a
// step, with group runs in flight going on across the boundary, while pause, resume, retry, skip, edit and accept
// keep working across the boundaries.
// The end-to-end campaign tests with real runs are campaign.test.ts, campaign.crash.test.ts and campaign.midstep.test.ts.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowExecutions, type ExecutionHistory } from '../../bench/lib/workflowExecutions.js';
import { groupRunId, parseCampaignSpec, type CampaignInput, type CampaignStatus } from '../../core/campaign/index.js';
import { repoRoot } from '../../paths/index.js';
import { acceptUpdate, campaignStatusQuery, editStepUpdate, pauseSignal, resumeSignal, retryUpdate, skipUpdate } from '../../workflows/campaignDefinitions.js';
import { groupRunControl, type GroupRunControl } from '../helpers/campaignStubs/activities.js';
import { waitFor } from '../helpers/runs.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(repoRoot, 'tests', 'helpers', 'campaignStubs', 'workflows.ts'), logger: new DefaultLogger('WARN') });
}, 180_000);
afterAll(async () => env?.teardown());

/** A campaign on its own task queue with a worker running the stubs, until `body` ends. */
async function withCampaign<T>(
  control: GroupRunControl,
  spec: Record<string, unknown>,
  extra: Partial<CampaignInput>,
  body: (handle: WorkflowHandle, name: string, startedRunId: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `campaign-manager-${randomUUID()}`;
  const name = `${String(spec.name)}_${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({ connection: env.nativeConnection, workflowBundle: bundle, activities: control.activities, taskQueue });
  const input: CampaignInput = { spec: parseCampaignSpec({ baseConfig: 'base.yaml', ...spec, name }), cwd: '/tmp', taskQueuePrefix: taskQueue, operator: 'pilot', ...extra };
  return worker.runUntil(async () => {
    const started = await env.client.workflow.start('campaignWorkflow', { taskQueue, workflowId: `campaign/${name}`, args: [input] });
    // A handle on the workflow id (no run id): it follows the campaign across continue-as-new.
    const handle = env.client.workflow.getHandle(started.workflowId);
    try {
      return await body(handle, name, started.firstExecutionRunId);
    } finally {
      // A failed assertion leaves no held activity or running campaign behind to keep the worker from stopping.
      control.release();
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test ended');
    }
  });
}

const status = (h: WorkflowHandle) => h.query(campaignStatusQuery);
const groupsOf = (s: CampaignStatus, step: string) => s.steps.find((x) => x.name === step)!.groups;

async function waitStatus(h: WorkflowHandle, what: string, cond: (s: CampaignStatus) => boolean): Promise<CampaignStatus> {
  let last: CampaignStatus | undefined;
  await waitFor(
    what,
    async () => {
      last = await status(h).catch(() => undefined);
      return !!last && cond(last);
    },
    60_000,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last && { paused: last.paused, steps: last.steps.map((x) => [x.name, x.status, x.groups.map((g) => `${g.id}:${g.status}`)]) })}`);
  });
  return last!;
}

/** The refusal message of an update its validator rejects. */
async function refusal(call: Promise<unknown>): Promise<string> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as Error).message;
}

describe('CampaignManager', () => {
  it('runs steps in order with compact state; each group activity carries only its own values', async () => {
    const control = groupRunControl();
    await withCampaign(
      control,
      { name: 'mgr_order', concurrency: 2, steps: [{ name: 'step1', split: { dimension: 'visit', values: [1, 2, 3, 4, 5, 6], groupSize: 2 } }, { name: 'step2' }] },
      {},
      async (handle, name) => {
        const final = (await handle.result()) as CampaignStatus;
        expect(final.phase).toBe('SUCCEEDED');
        expect(final.steps.map((s) => [s.name, s.status, s.groups.map((g) => `${g.id}:${g.status}:${g.executions}`)])).toEqual([
          ['step1', 'done', ['g1:SUCCEEDED:1', 'g2:SUCCEEDED:1', 'g3:SUCCEEDED:1']],
          ['step2', 'done', ['g1:SUCCEEDED:1']],
        ]);
        // Compact: a group is its id, status and executions; run, data query, submit path and counts are in the store.
        for (const s of final.steps) for (const g of s.groups) expect(Object.keys(g).sort()).toEqual(['executions', 'id', 'status']);
        // Each group's activity input names only its own values, not the step's whole split.
        // (Activities of groups in flight together run in any order.)
        const inputs = control.prepared.map((r) => [r.step.name, r.group.id, r.step.split] as const);
        expect([...inputs].sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`))).toEqual([
          ['step1', 'g1', { dimension: 'visit', groups: [[1, 2]] }],
          ['step1', 'g2', { dimension: 'visit', groups: [[3, 4]] }],
          ['step1', 'g3', { dimension: 'visit', groups: [[5, 6]] }],
          ['step2', 'g1', undefined],
        ]);
        // step2 started only after every step1 group ended.
        expect(control.ended.indexOf(groupRunId(name, 'step2', 'g1'))).toBe(3);
      },
    );
  }, 120_000);

  it('refuses bad operator actions without recording them; a failure auto-pauses and a retry restarts only that group', async () => {
    const control = groupRunControl();
    await withCampaign(
      control,
      { name: 'mgr_fail', steps: [{ name: 'step1', split: { dimension: 'visit', values: [1, 2] } }, { name: 'step2' }] },
      {},
      async (handle, name) => {
        control.failFirst.add(groupRunId(name, 'step1', 'g2'));
        const paused = await waitStatus(handle, 'auto-pause', (s) => s.paused);
        expect(paused.pauseReason).toMatch(/^auto-pause: step 'step1' ended with 1 failed group\(s\) \(g2\)/);
        expect(groupsOf(paused, 'step1')).toEqual([
          { id: 'g1', status: 'SUCCEEDED', executions: 1 },
          { id: 'g2', status: 'FAILED', executions: 1, message: `planted failure of ${groupRunId(name, 'step1', 'g2')}` },
        ]);

        const op = { operator: 'pilot' };
        expect(await refusal(handle.executeUpdate(editStepUpdate, { args: [{ ...op, step: 'step1', patch: { dataQuery: 'x' } }] }))).toContain("step 'step1' has already started");
        expect(await refusal(handle.executeUpdate(editStepUpdate, { args: [{ ...op, step: 'step2', patch: { bogus: 1 } }] }))).toContain("unknown field(s) 'bogus'");
        expect(await refusal(handle.executeUpdate(skipUpdate, { args: [{ ...op, step: 'step1', groups: ['g9'] }] }))).toContain("step 'step1' has no group 'g9' (groups: g1, g2)");
        expect(await refusal(handle.executeUpdate(retryUpdate, { args: [{ ...op, step: 'step1', groups: ['g1'] }] }))).toContain("group 'g1' of step 'step1' is SUCCEEDED, not failed");
        expect(await refusal(handle.executeUpdate(acceptUpdate, { args: [{ ...op, step: 'step2' }] }))).toContain("step 'step2' has not finished (pending)");
        expect(await refusal(handle.executeUpdate(retryUpdate, { args: [{ ...op, step: 'nostep' }] }))).toContain("has no step 'nostep'");
        expect((await status(handle)).actions.map((a) => a.action)).toEqual(['auto-pause']);

        const retried = await handle.executeUpdate(retryUpdate, { args: [{ ...op, step: 'step1', note: 'fixed' }] });
        expect(retried).toMatchObject({ action: 'retry', operator: 'pilot', step: 'step1', groups: ['g2'], detail: 'fixed' });
        const final = (await handle.result()) as CampaignStatus;
        expect(final.phase).toBe('SUCCEEDED');
        expect(groupsOf(final, 'step1').map((g) => [g.id, g.status, g.executions])).toEqual([
          ['g1', 'SUCCEEDED', 1],
          ['g2', 'SUCCEEDED', 2],
        ]);
        expect(control.restarted).toEqual([groupRunId(name, 'step1', 'g2')]);
        expect(control.prepared.map((r) => `${r.step.name}/${r.group.id}`).sort()).toEqual(['step1/g1', 'step1/g2', 'step2/g1']);
        expect(control.prepared[2].step.name).toBe('step2');
        expect(final.actions.map((a) => a.action)).toEqual(['auto-pause', 'retry']);
      },
    );
  }, 120_000);

  it('continues-as-new inside a step (lowered threshold); pause, resume, retry, skip, edit and accept work across the boundaries', async () => {
    const control = groupRunControl();
    const THRESHOLD = 20;
    await withCampaign(
      control,
      {
        name: 'mgr_midstep',
        concurrency: 2,
        steps: [
          { name: 'step1', split: { dimension: 'visit', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } },
          { name: 'step2', split: { dimension: 'tract', values: [1, 2, 3, 4] }, gate: true },
          { name: 'step3' },
        ],
      },
      { continueAsNewAfterEvents: THRESHOLD },
      async (handle, name, startedRunId) => {
        const run = (step: string, g: string) => groupRunId(name, step, g);
        const op = { operator: 'pilot' };
        control.failFirst.add(run('step1', 'g3'));
        const held = new Set(['g5', 'g6', 'g7', 'g8', 'g9', 'g10'].map((g) => run('step1', g)));
        control.hold((id) => held.has(id));

        // Two groups held in flight after g1-g4 ended (g3 failed); the execution that started them continues-as-new
        // while they run (the history is long and nothing is being started).
        await waitStatus(handle, 'g3 failed, two groups running', (s) => groupsOf(s, 'step1')[2].status === 'FAILED' && control.running.size === 2);
        await waitFor('a continue-as-new while g5 and g6 run', async () => {
          const executions = await workflowExecutions(env.client, handle.workflowId);
          const startedIn = executions.findIndex((e) => e.children.includes(`run/${run('step1', 'g5')}`));
          return startedIn >= 0 && executions[startedIn].closedBy === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW';
        }, 30_000);
        expect((await handle.describe()).runId).not.toBe(startedRunId);
        expect(await handle.executeUpdate(retryUpdate, { args: [{ ...op, step: 'step1', groups: ['g3'] }] })).toMatchObject({ action: 'retry', groups: ['g3'] });
        expect([...control.running].sort()).toEqual([run('step1', 'g5'), run('step1', 'g6')]);
        expect(groupsOf(await status(handle), 'step1').slice(2, 6).map((g) => `${g.status}${g.retry ? ':retry' : ''}`)).toEqual(['pending:retry', 'SUCCEEDED', 'running', 'running']);

        await handle.signal(pauseSignal, { ...op, reason: 'look at g3' });
        expect(await handle.executeUpdate(skipUpdate, { args: [{ ...op, step: 'step1', groups: ['g10'] }] })).toMatchObject({ action: 'skip' });
        await handle.executeUpdate(editStepUpdate, { args: [{ ...op, step: 'step2', patch: { split: { dimension: 'tract', values: [1, 2, 3, 4], groupSize: 2 } } }] });
        const preparedAtPause = control.prepared.length;

        // The held runs end and report to the current execution; paused, nothing new starts.
        control.release();
        await waitStatus(handle, 'held groups ended while paused', (x) => groupsOf(x, 'step1')[4].status === 'SUCCEEDED' && groupsOf(x, 'step1')[5].status === 'SUCCEEDED');
        await new Promise((r) => setTimeout(r, 1000));
        let s = await status(handle);
        expect(s.paused).toBe(true);
        expect(s.pauseReason).toBe('look at g3');
        expect(groupsOf(s, 'step1').map((g) => `${g.id}:${g.status}${g.retry ? ':retry' : ''}`)).toEqual([
          'g1:SUCCEEDED',
          'g2:SUCCEEDED',
          'g3:pending:retry',
          'g4:SUCCEEDED',
          'g5:SUCCEEDED',
          'g6:SUCCEEDED',
          'g7:pending',
          'g8:pending',
          'g9:pending',
          'g10:skipped',
        ]);
        expect(s.spec.steps[1].split).toMatchObject({ groupSize: 2 });
        expect(s.steps[1].edited).toBe(true);
        expect(control.prepared.length).toBe(preparedAtPause);

        await handle.signal(resumeSignal, op);
        s = await waitStatus(handle, 'gate of step2', (x) => x.phase === 'awaiting-accept');
        expect(groupsOf(s, 'step2').map((g) => g.id)).toEqual(['g1', 'g2']); // the edited split
        // The execution that ran step2's groups hands over before the accept arrives.
        await waitFor('continue-as-new at the gate', async () => {
          const executions = await workflowExecutions(env.client, `campaign/${name}`);
          return !executions[executions.length - 1].children.some((c) => c.includes('_step2_'));
        }, 30_000);
        await handle.executeUpdate(acceptUpdate, { args: [{ ...op, step: 'step2' }] });

        const final = (await handle.result()) as CampaignStatus;
        expect(final.phase).toBe('SUCCEEDED');
        expect(final.steps.map((x) => [x.name, x.status, x.groups.map((g) => `${g.id}:${g.status}:${g.executions}`)])).toEqual([
          ['step1', 'done', ['g1:SUCCEEDED:1', 'g2:SUCCEEDED:1', 'g3:SUCCEEDED:2', 'g4:SUCCEEDED:1', 'g5:SUCCEEDED:1', 'g6:SUCCEEDED:1', 'g7:SUCCEEDED:1', 'g8:SUCCEEDED:1', 'g9:SUCCEEDED:1', 'g10:skipped:0']],
          ['step2', 'accepted', ['g1:SUCCEEDED:1', 'g2:SUCCEEDED:1']],
          ['step3', 'done', ['g1:SUCCEEDED:1']],
        ]);
        expect(final.actions.map((a) => a.action)).toEqual(['retry', 'pause', 'skip', 'edit', 'resume', 'accept']);
        // No group was started twice across the boundaries: one prepare per group run, one restart (g3's retry).
        const prepared = control.prepared.map((r) => `${r.step.name}/${r.group.id}`);
        expect(prepared).toHaveLength(new Set(prepared).size);
        expect(prepared).toHaveLength(9 + 2 + 1);
        expect(control.restarted).toEqual([run('step1', 'g3')]);

        // Where each message landed: every execution but the last continued-as-new, the actions spread over
        // several executions, each after the first, and every history stayed near the threshold.
        const executions = await workflowExecutions(env.client, `campaign/${name}`);
        expect(executions.length).toBeGreaterThanOrEqual(6);
        expect(executions.slice(0, -1).every((e) => e.closedBy === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW')).toBe(true);
        expect(executions[executions.length - 1].closedBy).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
        const landed = (message: string): number => executions.findIndex((e: ExecutionHistory) => e.updates.includes(message) || e.signals.includes(message));
        for (const message of ['retry', 'pause', 'skip', 'editStep', 'resume', 'accept']) expect(landed(message), message).toBeGreaterThan(0);
        expect(landed('accept')).toBeGreaterThan(landed('resume'));
        // g5 and g6 outlived the execution that started them: their ends arrived (groupRunEnded) in a later one.
        for (const g of ['g5', 'g6']) {
          const id = `run/${run('step1', g)}`;
          const startedIn = executions.findIndex((e) => e.children.includes(id));
          expect(startedIn, g).toBeGreaterThanOrEqual(0);
          expect(executions[startedIn].childrenEnded, g).not.toContain(id);
          expect(executions.slice(startedIn + 1).some((e) => e.signals.includes('groupRunEnded')), g).toBe(true);
        }
        const ranStep2 = executions.findIndex((e) => e.children.some((c) => c.includes('_step2_')));
        expect(landed('accept')).toBeGreaterThan(ranStep2);
        const failedIn = executions.findIndex((e) => e.children.includes(`run/${run('step1', 'g3')}`));
        expect(landed('retry')).toBeGreaterThan(failedIn);
        for (const e of executions) expect(e.events, `execution ${e.runId}`).toBeLessThan(THRESHOLD + 60);
      },
    );
  }, 180_000);

  it('a cancel reaches the runs an earlier execution started', async () => {
    const control = groupRunControl();
    control.hold(() => true);
    await withCampaign(
      control,
      { name: 'mgr_cancel', concurrency: 2, steps: [{ name: 'step1', split: { dimension: 'visit', values: [1, 2, 3, 4] } }] },
      { continueAsNewAfterEvents: 20 },
      async (handle, name) => {
        const g1 = `run/${groupRunId(name, 'step1', 'g1')}`;
        await waitFor('a continue-as-new while g1 and g2 run', async () => {
          const executions = await workflowExecutions(env.client, handle.workflowId);
          const startedIn = executions.findIndex((e) => e.children.includes(g1));
          return startedIn >= 0 && executions[startedIn].closedBy === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW';
        }, 30_000);
        expect(control.running.size).toBe(2);
        await handle.cancel();
        const final = (await handle.result()) as CampaignStatus;
        expect(final.phase).toBe('CANCELLED');
        expect(groupsOf(final, 'step1').map((g) => `${g.id}:${g.status}`)).toEqual(['g1:DELETED', 'g2:DELETED', 'g3:pending', 'g4:pending']);
        expect(groupsOf(final, 'step1')[0].message).toBe('cancelled');
        for (const g of ['g1', 'g2']) expect((await env.client.workflow.getHandle(`run/${groupRunId(name, 'step1', g)}`).result()).state).toBe('DELETED');
      },
    );
  }, 120_000);
});
