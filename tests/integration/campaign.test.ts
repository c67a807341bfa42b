// Campaigns on the real Temporal dev server with real workers and shell-command jobs (synthetic graphs of 60
// quanta): a three-step campaign with 2 groups per step runs in order; a pause during step 1 holds step 2 until
// resume; an edit before step 3 changes what step 3 runs (and is in the history); a gate waits for accept; a
// planted failure auto-pauses, and a retry re-runs only the failed group's failed jobs; bad input exits 2.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus, CampaignView } from '../../core/campaign/index.js';
import type { State } from '../../core/states.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { waitFor, withStore } from '../helpers/runs.js';

let h: Harness;
let client: Client;

beforeAll(async () => {
  h = createHarness('campaign');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '4', TBPS_EXECUTOR_MEMORY_MB: '4000' });
  client = await h.client();
});
afterAll(async () => h?.stopAll());

const status = async (name: string) => (await client.workflow.getHandle(`campaign/${name}`).query('status')) as CampaignStatus;
const step = (s: CampaignStatus, name: string) => s.steps.find((x) => x.name === name)!;
async function waitStatus(name: string, what: string, cond: (s: CampaignStatus) => boolean, timeoutMs = 240_000): Promise<CampaignStatus> {
  let last: CampaignStatus | undefined;
  await waitFor(
    `${name}: ${what}`,
    async () => {
      last = await status(name).catch(() => undefined);
      return !!last && cond(last);
    },
    timeoutMs,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last && { phase: last.phase, paused: last.paused, steps: last.steps.map((x) => [x.name, x.status, x.groups.map((g) => g.status)]) })}`);
  });
  return last!;
}

function writeBase(dir: string, sleep: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'job.sh'),
    ['run="$1"', 'd="$(dirname "$0")"', `sleep ${sleep}`, 'case "$TBPS_JOB_LABEL" in calibrate) if grep -qx "$run" "$d/fail.txt" 2>/dev/null; then echo "ValueError: planted in $run" >&2; exit 1; fi;; esac', 'exit 0', ''].join('\n'),
  );
  writeFileSync(path.join(dir, 'fail.txt'), '');
  const f = path.join(dir, 'base.yaml');
  writeFileSync(
    f,
    [
      'payloadName: camp',
      'inCollection: HSC/defaults',
      'dataQuery: "instrument=\'HSC\'"',
      'syntheticGraph: {quanta: 60}',
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {uniqProcName} {qgraphNodeId}"`,
      'requestMemory: 64',
      'numberOfRetries: 1',
      'jobHeartbeatTimeout: 15',
      'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
      'finalJob: {whenRun: ALWAYS, command1: "true"}',
      '',
    ].join('\n'),
  );
  return f;
}

describe('a three-step campaign', () => {
  const NAME = 'itc_three';
  const dir = () => path.join(h.home, 'three');

  it('rejects bad specs with exit 2 and starts nothing', () => {
    writeBase(dir(), '0.01');
    const bad1 = path.join(dir(), 'bad1.yaml');
    writeFileSync(bad1, 'name: itc_bad\nbaseConfig: base.yaml\nsteps:\n  - name: step1\n    dataQery: "x"\n');
    const r1 = h.tbps(['campaign', 'start', bad1]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("key 'steps[step1]': unknown field(s) 'dataQery'");
    const bad2 = path.join(dir(), 'bad2.yaml');
    writeFileSync(bad2, 'name: itc_bad\nbaseConfig: base.yaml\nsteps:\n  - name: step1\n    split: {dimension: visit, values: []}\n');
    const r2 = h.tbps(['campaign', 'start', bad2]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("the split of step 'step1' yields zero groups");
    expect(h.tbps(['campaign', 'show', 'itc_bad']).code).toBe(2);
  });

  it('runs steps in order, holds step 2 while paused, applies an edit to step 3, waits at the gate', async () => {
    // Jobs long enough that step1 is still running when the pause (a CLI start, ~2-4 s on a loaded machine) arrives.
    writeBase(dir(), '0.6');
    const spec = path.join(dir(), 'campaign.yaml');
    writeFileSync(
      spec,
      [
        `name: ${NAME}`,
        'baseConfig: base.yaml',
        'concurrency: 2',
        'steps:',
        '  - name: step1',
        '    split: {dimension: visit, values: [1, 2, 3, 4], groupSize: 2}',
        '  - name: step2',
        '    split: {dimension: visit, ranges: [{from: 1, to: 2}, {from: 3, to: 4}]}',
        '  - name: step3',
        '    split: {dimension: tract, groups: [[9615], [9697]]}',
        '    gate: true',
        '',
      ].join('\n'),
    );
    const start = h.tbps(['campaign', 'start', spec, '--operator', 'pilot']);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    expect(start.stdout).toContain('step1 (2 groups) -> step2 (2 groups) -> step3 (2 groups)');

    // Not paused: resume is bad input and changes nothing.
    const notPaused = h.tbps(['campaign', 'resume', NAME]);
    expect(notPaused.code).toBe(2);
    expect(notPaused.stderr).toContain('is not paused');

    await waitStatus(NAME, 'step1 running', (s) => step(s, 'step1').groups.some((g) => g.status === 'running'));
    const p = h.tbps(['campaign', 'pause', NAME, '--operator', 'pilot', '--reason', 'check step1']);
    expect(p.code).toBe(0);
    let s = await waitStatus(NAME, 'step1 groups finished', (x) => step(x, 'step1').groups.every((g) => g.status === 'SUCCEEDED'));
    await new Promise((r) => setTimeout(r, 3000));
    s = await status(NAME);
    expect(s.paused).toBe(true);
    expect(s.phase).toBe('paused');
    expect(step(s, 'step2').status).toBe('pending');
    await expect(client.workflow.getHandle('run/itc_three_step2_g1').describe()).rejects.toThrow();

    // Edits: a started step is refused (exit 2, unchanged); step3 gets a smaller graph and another query.
    const e1 = h.tbps(['campaign', 'edit', NAME, '--step', 'step1', '--data-query', 'x']);
    expect(e1.code).toBe(2);
    expect(e1.stderr).toContain("step 'step1' has already started");
    const e2 = h.tbps(['campaign', 'edit', NAME, '--step', 'step3', '--bogus']);
    expect(e2.code).toBe(2);
    const e3 = h.tbps(['campaign', 'edit', NAME, '--step', 'step3', '--set', 'syntheticGraph={quanta: 30}', '-d', "instrument='HSC' AND skymap='rings'", '--operator', 'pilot']);
    expect(e3.stderr).toBe('');
    expect(e3.code).toBe(0);
    s = await status(NAME);
    expect(step(s, 'step3').edited).toBe(true);
    expect(s.actions.map((a) => [a.action, a.operator])).toEqual([
      ['pause', 'pilot'],
      ['edit', 'pilot'],
    ]);

    expect(h.tbps(['campaign', 'resume', NAME, '--operator', 'pilot']).code).toBe(0);
    s = await waitStatus(NAME, 'gate of step3', (x) => x.phase === 'awaiting-accept');
    expect(step(s, 'step3').status).toBe('awaiting-accept');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await client.workflow.getHandle(`campaign/${NAME}`).describe()).status.name).toBe('RUNNING');
    const acc = h.tbps(['campaign', 'accept', NAME, '--step', 'step3', '--operator', 'pilot', '--note', 'looks good']);
    expect(acc.stderr).toBe('');
    expect(acc.code).toBe(0);
    const final = (await client.workflow.getHandle(`campaign/${NAME}`).result()) as CampaignStatus;
    expect(final.phase).toBe('SUCCEEDED');
    expect(final.steps.map((x) => [x.name, x.status, x.groups.map((g) => g.status)])).toEqual([
      ['step1', 'done', ['SUCCEEDED', 'SUCCEEDED']],
      ['step2', 'done', ['SUCCEEDED', 'SUCCEEDED']],
      ['step3', 'accepted', ['SUCCEEDED', 'SUCCEEDED']],
    ]);
    // In order: each step started after the previous one ended.
    for (let i = 1; i < 3; i++) expect(final.steps[i].startedAt! >= final.steps[i - 1].endedAt!).toBe(true);
    // Groups: data query ANDed with the split; step N+1 reads step N's output. The workflow keeps compact state;
    // `campaign show` joins each group's run detail from the store.
    const shown = JSON.parse(h.tbps(['campaign', 'show', NAME, '--json']).stdout) as CampaignView;
    expect(final.steps[0].groups[0].dataQuery).toBeUndefined();
    expect(shown.steps.map((x) => x.groups.map((g) => g.runId))).toEqual(['step1', 'step2', 'step3'].map((x) => [`${NAME}_${x}_g1`, `${NAME}_${x}_g2`]));
    expect(shown.steps[0].groups[0].counts).toMatchObject({ failed: 0, pruned: 0 });
    expect(shown.steps[0].groups[0].counts!.succeeded).toBeGreaterThanOrEqual(60);
    expect(shown.steps[0].groups[0].dataQuery).toBe("(instrument='HSC') AND visit IN (1, 2)");
    expect(shown.steps[1].groups[1].dataQuery).toBe("(instrument='HSC') AND visit IN (3, 4)");
    expect(shown.steps[2].groups[0].dataQuery).toBe("(instrument='HSC' AND skymap='rings') AND tract IN (9615)");
    const saved = (g: { submitPath?: string }) => JSON.parse(readFileSync(path.join(g.submitPath!, 'tbps_config.json'), 'utf8')).tree as Record<string, unknown>;
    const s2 = saved(shown.steps[1].groups[0]);
    expect(s2.inCollection).toBe('u/pilot/itc_three/step1');
    expect(s2.outputRun).toBe('u/pilot/itc_three/step2/g1');
    expect(s2.campaign).toBe(NAME);
    // The edit changed what step 3 ran: a graph of ~30 quanta instead of ~60.
    await withStore(h.home, async (st) => {
      const q2 = (await st.getRun('itc_three_step2_g1'))!.quanta!;
      const q3 = (await st.getRun('itc_three_step3_g1'))!.quanta!;
      expect(q2).toBeGreaterThanOrEqual(60);
      expect(q3).toBeLessThan(40);
      expect((await st.getRun('itc_three_step3_g2'))?.state).toBe('SUCCEEDED');
    });
    // The edit is in the workflow history (an accepted update with the operator and the patch).
    const hist = await client.workflow.getHandle(`campaign/${NAME}`).fetchHistory();
    const updates = (hist.events ?? []).filter((ev) => ev.workflowExecutionUpdateAcceptedEventAttributes).map((ev) => ev.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name);
    expect(updates).toEqual(['editStep', 'accept']);
    expect(final.actions.find((a) => a.action === 'edit')).toMatchObject({ operator: 'pilot', step: 'step3' });
    // Campaign list: the campaign, with its state.
    const list = h.tbps(['campaign', 'list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).some((c) => c.name === NAME)).toBe(true);
  }, 600_000);
});

describe('failures', () => {
  const NAME = 'itc_fail';
  const dir = () => path.join(h.home, 'fail');

  it('auto-pauses after a planted failure; retry re-runs only the failed jobs of the failed group', async () => {
    writeBase(dir(), '0.01');
    writeFileSync(path.join(dir(), 'fail.txt'), 'itc_fail_step1_g2\n');
    const spec = path.join(dir(), 'campaign.yaml');
    writeFileSync(
      spec,
      [`name: ${NAME}`, 'baseConfig: base.yaml', 'steps:', '  - name: step1', '    split: {dimension: visit, values: [1, 2]}', '  - name: step2', ''].join('\n'),
    );
    const start = h.tbps(['campaign', 'start', spec, '--operator', 'pilot']);
    expect(start.code).toBe(0);
    let s = await waitStatus(NAME, 'auto-pause', (x) => x.paused);
    expect(s.pauseReason).toMatch(/^auto-pause: step 'step1' ended with 1 failed group\(s\) \(g2\)/);
    expect(step(s, 'step1').groups.map((g) => g.status)).toEqual(['SUCCEEDED', 'FAILED']);
    expect(step(s, 'step2').status).toBe('pending');
    const before = await withStore(h.home, async (st) => {
      const m = new Map<string, number>();
      for (const state of ['SUCCEEDED', 'FAILED', 'PRUNED'] as State[]) for (const j of await st.jobsByState('itc_fail_step1_g2', state, 100_000)) m.set(j.name, j.attempts);
      const c = await st.stateCounts('itc_fail_step1_g2');
      return { m, failed: c.FAILED, pruned: c.PRUNED };
    });
    expect(before.failed).toBeGreaterThan(0);
    const g1Before = await withStore(h.home, (st) => st.jobsByState('itc_fail_step1_g1', 'SUCCEEDED', 100_000));

    // Watching the whole campaign: statistics over its runs and its final failures by error class.
    const stats = JSON.parse(h.tbps(['stats', '--campaign', NAME, '--json']).stdout) as { runIds: string[]; total: { jobs: number; failed: number } };
    expect([...stats.runIds].sort()).toEqual(['itc_fail_step1_g1', 'itc_fail_step1_g2']);
    const jobsOfBoth = await withStore(h.home, async (st) => {
      const [a, b] = await Promise.all(['itc_fail_step1_g1', 'itc_fail_step1_g2'].map((r) => st.stateCounts(r)));
      return Object.values(a).reduce((x, y) => x + y, 0) + Object.values(b).reduce((x, y) => x + y, 0);
    });
    expect(stats.total).toMatchObject({ jobs: jobsOfBoth, failed: before.failed });
    const errors = h.tbps(['report', '--errors', '--campaign', NAME]);
    expect(errors.stdout).toContain(`Final failures of campaign ${NAME} by error class (${before.failed} jobs):`);
    expect(errors.stdout).toMatch(new RegExp(`python:ValueError\\s+${before.failed}\\n\\s+e\\.g\\. \\S+_calibrate_\\S+ \\[calibrate\\] in itc_fail_step1_g2`));

    // Retrying a succeeded group is refused.
    const bad = h.tbps(['campaign', 'retry', NAME, '--step', 'step1', '--group', 'g1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("group 'g1' of step 'step1' is SUCCEEDED, not failed");

    writeFileSync(path.join(dir(), 'fail.txt'), '');
    const r = h.tbps(['campaign', 'retry', NAME, '--step', 'step1', '--operator', 'pilot']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const final = (await client.workflow.getHandle(`campaign/${NAME}`).result()) as CampaignStatus;
    expect(final.phase).toBe('SUCCEEDED');
    expect(step(final, 'step1').groups.map((g) => [g.id, g.status, g.executions])).toEqual([
      ['g1', 'SUCCEEDED', 1],
      ['g2', 'SUCCEEDED', 2],
    ]);
    expect(step(final, 'step2').groups[0].status).toBe('SUCCEEDED');
    expect(final.actions.map((a) => a.action)).toEqual(['auto-pause', 'retry']);
    await withStore(h.home, async (st) => {
      let rerun = 0;
      const after = await st.jobsByState('itc_fail_step1_g2', 'SUCCEEDED', 100_000);
      expect(after.length).toBe(before.m.size);
      for (const j of after) if (j.attempts !== before.m.get(j.name)) rerun++;
      expect(rerun).toBe(before.failed + before.pruned + 1); // failed + pruned + finalJob
      const g1After = await st.jobsByState('itc_fail_step1_g1', 'SUCCEEDED', 100_000);
      expect(g1After.map((j) => j.attempts)).toEqual(g1Before.map((j) => j.attempts)); // the other group did not run again
    });
  }, 600_000);
});

describe('operator actions', () => {
  const dir = () => path.join(h.home, 'ops');

  it('skip a failed group, reject then accept a gated step; state survives continue-as-new', async () => {
    const NAME = 'itc_ops';
    writeBase(dir(), '0.01');
    writeFileSync(path.join(dir(), 'fail.txt'), 'itc_ops_step1_g2\n');
    const spec = path.join(dir(), 'campaign.yaml');
    writeFileSync(
      spec,
      [`name: ${NAME}`, 'baseConfig: base.yaml', 'steps:', '  - name: step1', '    split: {dimension: visit, values: [1, 2]}', '  - name: step2', '    gate: true', '  - name: step3', ''].join('\n'),
    );
    expect(h.tbps(['campaign', 'start', spec, '--operator', 'pilot', '--continue-as-new-after', '1']).code).toBe(0);
    await waitStatus(NAME, 'auto-pause', (x) => x.paused);
    // Not-started groups and unknown groups are refused.
    expect(h.tbps(['campaign', 'skip', NAME, '--step', 'step2', '--group', 'g1']).code).toBe(2);
    const unknown = h.tbps(['campaign', 'skip', NAME, '--step', 'step1', '--group', 'g9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("step 'step1' has no group 'g9'");
    expect(h.tbps(['campaign', 'skip', NAME, '--step', 'step1', '--group', 'g2', '--operator', 'pilot']).code).toBe(0);
    expect(h.tbps(['campaign', 'resume', NAME, '--operator', 'pilot']).code).toBe(0);
    await waitStatus(NAME, 'gate of step2', (x) => x.phase === 'awaiting-accept');
    expect(h.tbps(['campaign', 'accept', NAME, '--step', 'step3']).code).toBe(2); // not finished
    expect(h.tbps(['campaign', 'reject', NAME, '--step', 'step2', '--operator', 'pilot', '--note', 'bad PSFs']).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await status(NAME)).phase).toBe('awaiting-accept'); // a rejected gate stays closed
    expect(h.tbps(['campaign', 'accept', NAME, '--step', 'step2', '--operator', 'pilot']).code).toBe(0);
    const final = (await client.workflow.getHandle(`campaign/${NAME}`).result()) as CampaignStatus;
    expect(final.phase).toBe('SUCCEEDED');
    expect(final.steps.map((x) => [x.name, x.status, x.groups.map((g) => g.status)])).toEqual([
      ['step1', 'done', ['SUCCEEDED', 'skipped']],
      ['step2', 'accepted', ['SUCCEEDED']],
      ['step3', 'done', ['SUCCEEDED']],
    ]);
    expect(final.actions.map((a) => `${a.action}:${a.operator}`)).toEqual(['auto-pause:tbps', 'skip:pilot', 'resume:pilot', 'reject:pilot', 'accept:pilot']);
    // Continue-as-new happened at the step boundaries (before step2 and step3) and, with a threshold of 1 event,
    // inside the steps too (after the groups were started); the state went through every one of them.
    let runs = 0;
    for await (const wf of client.workflow.list({ query: `WorkflowId = 'campaign/${NAME}'` })) if (wf.workflowId) runs++;
    expect(runs).toBeGreaterThanOrEqual(3);
    const show = h.tbps(['campaign', 'show', NAME]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/step1\s+done\s+g1\s+itc_ops_step1_g1\s+SUCCEEDED/);
  }, 600_000);

  it('cancel stops the running groups gracefully', async () => {
    const NAME = 'itc_cancel';
    writeBase(dir(), '1');
    const spec = path.join(dir(), 'cancel.yaml');
    writeFileSync(spec, [`name: ${NAME}`, 'baseConfig: base.yaml', 'steps:', '  - name: step1', '  - name: step2', ''].join('\n'));
    expect(h.tbps(['campaign', 'start', spec]).code).toBe(0);
    await waitStatus(NAME, 'step1 running', (x) => step(x, 'step1').groups.some((g) => g.status === 'running'));
    await new Promise((r) => setTimeout(r, 3000));
    expect(h.tbps(['campaign', 'cancel', NAME]).code).toBe(0);
    const final = (await client.workflow.getHandle(`campaign/${NAME}`).result()) as CampaignStatus;
    expect(final.phase).toBe('CANCELLED');
    const again = h.tbps(['campaign', 'start', spec]);
    expect(again.code).toBe(2); // a campaign name is used once
    expect(again.stderr).toContain(`campaign '${NAME}' already exists`);
    expect(step(final, 'step1').groups[0].status).toBe('DELETED');
    expect(step(final, 'step2').status).toBe('pending');
    await withStore(h.home, async (st) => expect((await st.getRun('itc_cancel_step1_g1'))?.state).toBe('DELETED'));
    expect(h.tbps(['campaign', 'pause', NAME]).code).toBe(2); // not running
  }, 300_000);

  it('start --wait follows the campaign to its end; list shows it', async () => {
    const NAME = 'itc_wait';
    writeBase(dir(), '0.01');
    const spec = path.join(dir(), 'wait.yaml');
    writeFileSync(spec, [`name: ${NAME}`, 'baseConfig: base.yaml', 'steps:', '  - name: step1', '  - name: step2', ''].join('\n'));
    const r = await h.tbpsAsync(['campaign', 'start', spec, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Campaign itc_wait  SUCCEEDED/);
    expect(r.stdout).toMatch(/step2\s+done\s+g1\s+itc_wait_step2_g1\s+SUCCEEDED/);
    const list = h.tbps(['campaign', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^CAMPAIGN\s+WORKFLOW\s+STATE\s+STEP\s+OPERATOR\s+STARTED/);
    expect(list.stdout).toMatch(/itc_wait\s+COMPLETED\s+SUCCEEDED\s+step2/);
  }, 300_000);
});
