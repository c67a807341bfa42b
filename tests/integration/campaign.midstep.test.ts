// Continue-as-new inside a step, end to end: real workers, real runs of shell jobs and the real CLI, with a lowered
// threshold (--continue-as-new-after) so a step of 8 groups spans several executions of the campaign workflow, and
// runs in flight outlive the execution that started them.
// Operator actions given through the CLI while the step runs (retry of a failed group, pause, skip, edit of the next
// step, resume) and accept at a gate keep working across the boundaries, no group runs twice, and `campaign show`
// answers from the compact state and the store. The same on stub runs, with finer control: campaign.manager.test.ts.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowExecutions } from '../../bench/lib/workflowExecutions.js';
import type { CampaignStatus, CampaignView } from '../../core/campaign/index.js';
import { writeQuantumGraph, type QuantumRecord } from '../../core/qgraph/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { waitFor, withStore } from '../helpers/runs.js';

let h: Harness;
let client: Client;

beforeAll(async () => {
  h = createHarness('campaignmidstep');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '4', TBPS_EXECUTOR_MEMORY_MB: '4000' });
  client = await h.client();
});
afterAll(async () => h?.stopAll());

const NAME = 'itc_midstep';
const THRESHOLD = 20;

async function status(): Promise<CampaignStatus> {
  return (await client.workflow.getHandle(`campaign/${NAME}`).query('status')) as CampaignStatus;
}

async function waitStatus(what: string, cond: (s: CampaignStatus) => boolean): Promise<CampaignStatus> {
  let last: CampaignStatus | undefined;
  await waitFor(
    what,
    async () => {
      last = await status().catch(() => undefined);
      return !!last && cond(last);
    },
    300_000,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last && { paused: last.paused, steps: last.steps.map((x) => [x.name, x.status, x.groups.map((g) => `${g.id}:${g.status}`)]) })}`);
  });
  return last!;
}

const groupsOf = (s: { steps: CampaignStatus['steps'] }, step: string) => s.steps.find((x) => x.name === step)!.groups;
const runningRun = async () => (await client.workflow.getHandle(`campaign/${NAME}`).describe()).runId;

function ok(args: string[]): string {
  const r = h.tbps([...args, '--operator', 'pilot']);
  expect(r.stderr, `tbps ${args.join(' ')}`).toBe('');
  expect(r.code, `tbps ${args.join(' ')}`).toBe(0);
  return r.stdout;
}

describe('a campaign that continues-as-new inside a step', () => {
  it('keeps retry, pause, skip, edit, resume and accept working across the boundaries', async () => {
    const dir = path.join(h.home, 'midstep');
    mkdirSync(dir, { recursive: true });
    const graph = path.join(dir, 'tiny.qgraph.jsonl');
    const records = (function* (): Generator<QuantumRecord> {
      for (let i = 0; i < 3; i++) yield { id: `tiny-${i}`, label: 'tiny', dataId: { n: i }, parents: [] };
    })();
    await writeQuantumGraph(graph, { format: 'tbps-qgraph', version: 1, metadata: {}, tasks: [{ label: 'tiny', dimensions: ['n'] }], quanta: 3 }, records);
    // Jobs of the runs named in fail.txt fail (payload error, no retry); jobs of a run with a hold file wait for its
    // removal, so the test decides which groups are in flight when the operator acts.
    writeFileSync(
      path.join(dir, 'job.sh'),
      ['d="$(dirname "$0")"', 'while [ -e "$d/hold/$1" ]; do sleep 0.2; done', 'if grep -qx "$1" "$d/fail.txt" 2>/dev/null; then echo "ValueError: planted in $1" >&2; exit 1; fi', 'exit 0', ''].join('\n'),
    );
    writeFileSync(path.join(dir, 'fail.txt'), `${NAME}_step1_g3\n`);
    mkdirSync(path.join(dir, 'hold'));
    const held = ['g5', 'g6', 'g7', 'g8'].map((g) => path.join(dir, 'hold', `${NAME}_step1_${g}`));
    for (const f of held) writeFileSync(f, '');
    writeFileSync(
      path.join(dir, 'base.yaml'),
      [
        'payloadName: midstep',
        'inCollection: HSC/defaults',
        'dataQuery: "instrument=\'HSC\'"',
        `qgraphFile: ${graph}`,
        `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {uniqProcName} {qgraphNodeId}"`,
        'requestMemory: 64',
        'numberOfRetries: 0',
        'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
        'finalJob: {whenRun: ALWAYS, command1: "true"}',
        '',
      ].join('\n'),
    );
    const spec = path.join(dir, 'campaign.yaml');
    writeFileSync(
      spec,
      [
        `name: ${NAME}`,
        'baseConfig: base.yaml',
        'concurrency: 2',
        'failurePolicy: {onFailure: continue}',
        'steps:',
        '  - name: step1',
        '    split: {dimension: visit, values: [1, 2, 3, 4, 5, 6, 7, 8]}',
        '  - name: step2',
        '    split: {dimension: tract, values: [1, 2, 3, 4]}',
        '    gate: true',
        '  - name: step3',
        '',
      ].join('\n'),
    );
    ok(['campaign', 'start', spec, '--continue-as-new-after', String(THRESHOLD)]);
    const firstRun = await runningRun();

    // g3 failed and g5, g6 are held in flight; the execution that started them continues-as-new while they run.
    // Then retry g3 (its jobs fixed), pause, skip the pending g8 and edit step2; then let g5 and g6 end.
    await waitStatus('g3 failed, g5 and g6 running', (s) => groupsOf(s, 'step1')[2].status === 'FAILED' && groupsOf(s, 'step1')[4].status === 'running' && groupsOf(s, 'step1')[5].status === 'running');
    await waitFor('a continue-as-new while g5 and g6 run', async () => {
      const executions = await workflowExecutions(client, `campaign/${NAME}`);
      const startedIn = executions.findIndex((e) => e.children.includes(`run/${NAME}_step1_g5`));
      return startedIn >= 0 && executions[startedIn].closedBy === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW';
    }, 120_000);
    expect(await runningRun()).not.toBe(firstRun);
    writeFileSync(path.join(dir, 'fail.txt'), '');
    ok(['campaign', 'retry', NAME, '--step', 'step1', '--group', 'g3']);
    ok(['campaign', 'pause', NAME, '--reason', 'look at g3']);
    const skipped = 'g8';
    ok(['campaign', 'skip', NAME, '--step', 'step1', '--group', skipped]);
    const patch = path.join(dir, 'step2.patch.yaml');
    writeFileSync(patch, 'split: {dimension: tract, values: [1, 2, 3, 4], groupSize: 2}\n');
    ok(['campaign', 'edit', NAME, '--step', 'step2', '--patch', patch]);
    for (const f of held) rmSync(f);
    await waitStatus('nothing in flight while paused', (x) => x.paused && groupsOf(x, 'step1').every((g) => g.status !== 'running' && g.status !== 'starting'));
    await new Promise((r) => setTimeout(r, 2000)); // nothing starts while paused
    let s = await status();
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
      'g8:skipped',
    ]);

    ok(['campaign', 'resume', NAME]);
    s = await waitStatus('gate of step2', (x) => x.phase === 'awaiting-accept');
    expect(groupsOf(s, 'step2').map((g) => g.id)).toEqual(['g1', 'g2']); // the edited split
    await waitFor('continue-as-new at the gate', async () => {
      const executions = await workflowExecutions(client, `campaign/${NAME}`);
      return !executions[executions.length - 1].children.some((c) => c.includes('_step2_'));
    }, 120_000);
    ok(['campaign', 'accept', NAME, '--step', 'step2']);

    const final = (await client.workflow.getHandle(`campaign/${NAME}`).result()) as CampaignStatus;
    expect(final.phase).toBe('SUCCEEDED');
    expect(final.actions.map((a) => a.action)).toEqual(['retry', 'pause', 'skip', 'edit', 'resume', 'accept']);
    const step1 = groupsOf(final, 'step1');
    expect(step1.find((g) => g.id === 'g3')).toMatchObject({ status: 'SUCCEEDED', executions: 2 });
    expect(step1.find((g) => g.id === skipped)).toMatchObject({ status: 'skipped', executions: 0 });
    for (const g of step1.filter((x) => x.id !== 'g3' && x.id !== skipped)) expect([g.id, g.status, g.executions]).toEqual([g.id, 'SUCCEEDED', 1]);
    expect(groupsOf(final, 'step2').map((g) => `${g.id}:${g.status}`)).toEqual(['g1:SUCCEEDED', 'g2:SUCCEEDED']);
    expect(groupsOf(final, 'step3').map((g) => g.status)).toEqual(['SUCCEEDED']);

    // Per-group detail from the store: every run's job counts, its data query; the retried run re-ran its jobs.
    const shown = JSON.parse(h.tbps(['campaign', 'show', NAME, '--json']).stdout) as CampaignView;
    for (const g of groupsOf(shown, 'step1').filter((x) => x.id !== skipped)) expect(g.counts, g.id).toEqual({ succeeded: 5, failed: 0, pruned: 0, jobs: 5 });
    expect(groupsOf(shown, 'step1').find((g) => g.id === 'g3')!.dataQuery).toBe("(instrument='HSC') AND visit IN (3)");
    expect(groupsOf(shown, 'step2').map((g) => g.dataQuery)).toEqual(["(instrument='HSC') AND tract IN (1, 2)", "(instrument='HSC') AND tract IN (3, 4)"]);
    const text = h.tbps(['campaign', 'show', NAME]).stdout;
    expect(text).toMatch(new RegExp(`step1\\s+done\\s+g1\\s+${NAME}_step1_g1\\s+SUCCEEDED\\s+1\\s+5\\s+0\\s+0`));
    await withStore(h.home, async (st) => {
      expect((await st.getRun(`${NAME}_step1_${skipped}`))).toBeUndefined(); // a skipped group never ran
      expect((await st.getRun(`${NAME}_step1_g3`))?.restartCount).toBe(1);
    });

    // Which execution took which message: all after the first; accept after the execution that ran step2; g5 and
    // g6 outlived the execution that started them; every history near the lowered threshold.
    const executions = await workflowExecutions(client, `campaign/${NAME}`);
    expect(executions.length).toBeGreaterThanOrEqual(5);
    expect(executions.slice(0, -1).every((e) => e.closedBy === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW')).toBe(true);
    const landed = (message: string) => executions.findIndex((e) => e.updates.includes(message) || e.signals.includes(message));
    for (const message of ['retry', 'pause', 'skip', 'editStep', 'resume', 'accept']) expect(landed(message), message).toBeGreaterThan(0);
    for (const g of ['g5', 'g6']) {
      const id = `run/${NAME}_step1_${g}`;
      const startedIn = executions.findIndex((e) => e.children.includes(id));
      expect(executions[startedIn].childrenEnded, g).not.toContain(id);
      expect(executions.slice(startedIn + 1).some((e) => e.signals.includes('groupRunEnded')), g).toBe(true);
    }
    expect(landed('accept')).toBeGreaterThan(executions.findIndex((e) => e.children.some((c) => c.includes('_step2_'))));
    for (const e of executions) expect(e.events, `execution ${e.runId}`).toBeLessThan(THRESHOLD + 80);
    // No group's run was started twice (g3 twice: its retry).
    const started = executions.flatMap((e) => e.children);
    expect(started.filter((c) => c === `run/${NAME}_step1_g3`)).toHaveLength(2);
    expect(started).toHaveLength(new Set(started).size + 1);
  }, 900_000);
});
