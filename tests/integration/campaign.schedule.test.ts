// Nightly campaigns on Temporal Schedules: create a schedule, trigger it and backfill three nights; each
// nightlyWorkflow picks its night from the scheduled time and starts campaign <template>_<dayObs> when the night
// has data (nightly.dataNights), or ends quietly with a note.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nightWindow } from '../../core/campaign/index.js';
import type { NightlyResult } from '../../workflows/nightly.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/runs.js';

let h: Harness;
let client: Client;

beforeAll(async () => {
  h = createHarness('nightly');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '4' });
  client = await h.client();
});
afterAll(async () => h?.stopAll());

describe('nightly schedule', () => {
  it('trigger and backfill start campaigns for the right nights', async () => {
    const dir = path.join(h.home, 'nightly');
    mkdirSync(dir, { recursive: true });
    const tpl = `itn${process.pid}`;
    const today = nightWindow(new Date());
    writeFileSync(
      path.join(dir, 'base.yaml'),
      ['payloadName: nightly', 'syntheticGraph: {quanta: 20}', 'runQuantumCommand: "true"', 'requestMemory: 64', 'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}', 'finalJob: {command1: "true"}', ''].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'template.yaml'),
      [`name: ${tpl}`, 'baseConfig: base.yaml', 'steps:', '  - name: step1', '    dataQuery: "day_obs = {dayObs}"', 'nightly:', `  dataNights: ['2026-11-01', '2026-11-03', '${today.night}']`, ''].join('\n'),
    );
    const id = `sched-${process.pid}`;
    const c = h.tbps(['schedule', 'create', id, '--template', path.join(dir, 'template.yaml'), '--cron', '0 14 * * *', '--operator', 'pilot']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(h.tbps(['schedule', 'create', id, '--template', path.join(dir, 'template.yaml')]).code).toBe(2);
    const list = JSON.parse(h.tbps(['schedule', 'list', '--json']).stdout) as Array<{ id: string; paused: boolean }>;
    expect(list.find((x) => x.id === id)?.paused).toBe(false);

    expect(h.tbps(['schedule', 'trigger', id]).code).toBe(0);
    // Scheduled 2026-11-02/03/04 14:00 UTC -> nights 2026-11-01, 2026-11-02 (no data), 2026-11-03.
    const b = h.tbps(['schedule', 'backfill', id, '--start', '2026-11-02T00:00:00Z', '--end', '2026-11-05T00:00:00Z']);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);

    const results = new Map<string, NightlyResult>();
    await waitFor(
      'four nightly workflows',
      async () => {
        for await (const wf of client.workflow.list({ query: `WorkflowType = 'nightlyWorkflow' AND WorkflowId STARTS_WITH 'nightly/${id}'` })) {
          if (wf.status.name !== 'COMPLETED' || results.has(wf.workflowId)) continue;
          const r = (await client.workflow.getHandle(wf.workflowId, wf.runId).result()) as NightlyResult;
          results.set(wf.workflowId, r);
        }
        return results.size >= 4;
      },
      180_000,
    );
    const byNight = new Map([...results.values()].map((r) => [r.window.night, r]));
    expect([...byNight.keys()].sort()).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', today.night].sort());
    expect(byNight.get('2026-11-01')!.campaign).toBe(`campaign/${tpl}_20261101`);
    expect(byNight.get('2026-11-03')!.campaign).toBe(`campaign/${tpl}_20261103`);
    expect(byNight.get(today.night)!.campaign).toBe(`campaign/${tpl}_${today.dayObs}`);
    expect(byNight.get('2026-11-02')!.campaign).toBeUndefined();
    expect(byNight.get('2026-11-02')!.note).toMatch(/no data for night 2026-11-02/);
    expect(byNight.get('2026-11-01')!.window).toMatchObject({ start: '2026-11-01T12:00:00.000Z', end: '2026-11-02T12:00:00.000Z' });

    // The nights' campaigns run with the night in their data query.
    // (The group's data query is in the store, shown by `campaign show`; the workflow keeps compact state.)
    expect(((await client.workflow.getHandle(`campaign/${tpl}_20261103`).result()) as { phase: string }).phase).toBe('SUCCEEDED');
    const done = JSON.parse(h.tbps(['campaign', 'show', `${tpl}_20261103`, '--json']).stdout) as { steps: Array<{ groups: Array<{ dataQuery?: string }> }> };
    expect(done.steps[0].groups[0].dataQuery).toBe('day_obs = 20261103');

    // A night whose campaign exists already starts no second campaign (e.g. the night backfilled again).
    const again = (await client.workflow.execute('nightlyWorkflow', {
      workflowId: `nightly/${id}-again`,
      taskQueue: h.env.TBPS_TASK_QUEUE!,
      args: [{ templateFile: path.join(dir, 'template.yaml'), cwd: h.home, taskQueuePrefix: h.env.TBPS_TASK_QUEUE!, operator: 'pilot', night: '2026-11-03' }],
    })) as NightlyResult;
    expect(again.window.night).toBe('2026-11-03');
    expect(again.note).toBe(`campaign campaign/${tpl}_20261103 was already started`);

    expect(h.tbps(['schedule', 'pause', id]).code).toBe(0);
    expect(h.tbps(['schedule', 'pause', id]).code).toBe(2);
    expect(h.tbps(['schedule', 'unpause', id]).code).toBe(0);
    expect(h.tbps(['schedule', 'delete', id]).code).toBe(0);
    expect(h.tbps(['schedule', 'trigger', id]).code).toBe(2);
  }, 400_000);
});
