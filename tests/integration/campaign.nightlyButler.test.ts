// Nightly campaigns from the butler: the demo repository (lsst/make_demo_repo.py, its last night spread over three
// nights 20131102..20131104) and a schedule whose template reads it. A backfill over the three nights starts three
// campaigns, each with exactly its night's exposures (grouped by visit, one visit a group) and run by the real
// pipetask/butler; the same night again finds everything covered by the campaign's outputs and starts nothing,
// with the note shown by `tbps schedule show`; a --day-obs that is not a date is exit 2 naming the option.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../temporal/paths.js';
import type { NightlyResult } from '../../workflows/nightly.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/runs.js';

const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
const DEMO_CONFIG = path.join(repoRoot, 'config', 'examples', 'demo_drp.yaml');

let h: Harness;
let client: Client;

beforeAll(async () => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  h = createHarness('nightbutler');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '2' });
  client = await h.client();
});
afterAll(async () => h?.stopAll());

/** The visits of a group's data query `(...) AND visit IN (a, b)`. */
function visitsOf(dataQuery: string | undefined): number[] {
  const m = /visit IN \(([^)]*)\)/.exec(dataQuery ?? '');
  return m ? m[1].split(',').map((v) => Number(v.trim())) : [];
}

describe('nightly campaigns from the butler', () => {
  it('a backfill over three nights starts three campaigns with exactly each night’s exposures; a processed night starts nothing', async () => {
    const repo = path.join(h.home, 'repo');
    const built = execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo], { env: withLsstPath({ ...process.env }) as NodeJS.ProcessEnv, encoding: 'utf8' });
    const nights = (JSON.parse(built.trim().split('\n').at(-1)!) as { nights: Record<string, number[]> }).nights;
    expect(Object.keys(nights).length).toBeGreaterThanOrEqual(3);
    const want: Record<string, number[]> = { '2013-11-02': nights['20131102'], '2013-11-03': nights['20131103'], '2013-11-04': nights['20131104'] };
    for (const visits of Object.values(want)) expect(visits?.length).toBeGreaterThan(0);

    const dir = path.join(h.home, 'nightly');
    mkdirSync(dir, { recursive: true });
    const tpl = `nb${process.pid}`;
    const template = path.join(dir, 'template.yaml');
    writeFileSync(
      template,
      [
        `name: ${tpl}`,
        `baseConfig: ${DEMO_CONFIG}`,
        'inCollection: HSC/defaults',
        'concurrency: 2',
        'steps:',
        '  - name: step1',
        `    pipelineYaml: "${PIPE}#step1"`,
        `    dataQuery: "instrument='HSC'"`,
        `    overrides: {butlerConfig: "${repo}"}`,
        'nightly: {groupBy: visit, groupSize: 1}',
        '',
      ].join('\n'),
    );
    const id = `nb-${process.pid}`;
    const created = h.tbps(['schedule', 'create', id, '--template', template, '--cron', '0 14 * * *', '--operator', 'pilot', '--paused']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);

    // Bad input: a day_obs that is not a date names the option; nothing is started.
    const bad = h.tbps(['schedule', 'trigger', id, '--day-obs', '20131332']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--day-obs/);
    expect(bad.stderr).toMatch(/not a date/);

    // Scheduled 2013-11-03/04/05 14:00 UTC -> nights 2013-11-02, 2013-11-03, 2013-11-04.
    const b = h.tbps(['schedule', 'backfill', id, '--start', '2013-11-03T00:00:00Z', '--end', '2013-11-06T00:00:00Z']);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const results = new Map<string, NightlyResult>();
    await waitFor(
      'three nightly workflows',
      async () => {
        for await (const wf of client.workflow.list({ query: `WorkflowType = 'nightlyWorkflow' AND WorkflowId STARTS_WITH 'nightly/${id}'` })) {
          if (wf.status.name === 'FAILED') throw new Error(`nightly workflow ${wf.workflowId} failed`);
          if (wf.status.name !== 'COMPLETED' || results.has(wf.runId)) continue;
          results.set(wf.runId, (await client.workflow.getHandle(wf.workflowId, wf.runId).result()) as NightlyResult);
        }
        return results.size >= 3;
      },
      300_000,
    );
    const byNight = new Map([...results.values()].map((r) => [r.window.night, r]));
    expect([...byNight.keys()].sort()).toEqual(Object.keys(want).sort());

    for (const [night, visits] of Object.entries(want)) {
      const name = `${tpl}_${night.replace(/-/g, '')}`;
      expect(byNight.get(night)!.campaign, byNight.get(night)!.note).toBe(`campaign/${name}`);
      const end = (await client.workflow.getHandle(`campaign/${name}`).result()) as { phase: string };
      expect(end.phase).toBe('SUCCEEDED');
      const shown = JSON.parse(h.tbps(['campaign', 'show', name, '--json']).stdout) as { steps: Array<{ groups: Array<{ dataQuery?: string; status: string }> }> };
      const groups = shown.steps[0].groups;
      expect(groups).toHaveLength(visits.length); // groupSize 1: one group per visit
      expect(groups.flatMap((g) => visitsOf(g.dataQuery)).sort()).toEqual([...visits].sort());
    }

    // The night 2013-11-02 again: its exposures are covered by its campaign's outputs; nothing is started.
    const again = h.tbps(['schedule', 'trigger', id, '--day-obs', '20131102']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    let rerun: NightlyResult | undefined;
    await waitFor('the rerun of night 2013-11-02', async () => {
      for await (const wf of client.workflow.list({ query: `WorkflowType = 'nightlyWorkflow' AND WorkflowId STARTS_WITH 'nightly/${id}-20131102'` })) {
        if (wf.status.name === 'COMPLETED') rerun = (await client.workflow.getHandle(wf.workflowId, wf.runId).result()) as NightlyResult;
      }
      return rerun !== undefined;
    });
    expect(rerun!.window.night).toBe('2013-11-02');
    expect(rerun!.campaign).toBeUndefined();
    expect(rerun!.note).toMatch(/nothing new/);
    const show = JSON.parse(h.tbps(['schedule', 'show', id, '--json']).stdout) as { nights: Array<{ night: string; note: string; campaign?: string }> };
    expect(show.nights).toHaveLength(4);
    expect(show.nights.filter((n) => n.night === '2013-11-02' && /nothing new/.test(n.note))).toHaveLength(1);
    const text = h.tbps(['schedule', 'show', id]).stdout;
    expect(text).toMatch(/2013-11-02 .*nothing new/);
    expect(h.tbps(['schedule', 'delete', id]).code).toBe(0);
  }, 900_000);
});
