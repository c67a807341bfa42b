// `tbps campaign plan` on the demo campaign (its shape over four visits: three steps of the mock DRP pipeline on the demo repository, real
// pipetask/butler): before any run it counts quanta and jobs per label and says plainly that no history exists; the
// first real run reuses the step1 graphs the plan made (same inputs); after it, the plan of a second campaign of the
// same shape predicts its wall time within 50% of what the second real run takes. A spec whose pipeline does not
// load is exit 2 naming the key, with nothing started.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../temporal/paths.js';
import type { CampaignPlan } from '../../client/commands/campaignPlan.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { withStore } from '../helpers/runs.js';

const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
const DEMO_CONFIG = path.join(repoRoot, 'config', 'examples', 'demo_drp.yaml');
/**
 * The demo campaign's shape (step1 and step2 in two groups of visits, step3 per tract) over four of its visits, so
 * that three planned graphs and two real runs fit a shared two-core machine's test budget.
 */
const VISIT_LIST = [903334, 903336, 903986, 903988];
const VISITS = `[${VISIT_LIST.join(', ')}]`;

let h: Harness;
let client: Client;

beforeAll(async () => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  h = createHarness('plan');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '2' });
  client = await h.client();
});
afterAll(async () => h?.stopAll());

/** The demo campaign of scripts/demo.sh, named `name`, on `repo` (pipeline file `pipeline`). */
function demoSpec(name: string, repo: string, pipeline = PIPE): string {
  const file = path.join(h.home, `${name}.yaml`);
  const step = (s: string, query: string, split: string) =>
    [`  - name: ${s}`, `    pipelineYaml: "${pipeline}#${s}"`, `    dataQuery: "${query}"`, `    overrides: {butlerConfig: "${repo}"}`, `    split: ${split}`];
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `baseConfig: ${DEMO_CONFIG}`,
      'inCollection: HSC/defaults',
      `output: u/demo/${name}`,
      'concurrency: 2',
      'steps:',
      ...step('step1', "instrument='HSC'", `{dimension: visit, values: ${VISITS}, groupSize: 2}`),
      ...step('step2', "instrument='HSC'", `{dimension: visit, values: ${VISITS}, groupSize: 2}`),
      ...step('step3', "instrument='HSC' AND skymap='discrete/ci_hsc'", '{dimension: tract, values: [0]}'),
      '',
    ].join('\n'),
  );
  return file;
}

function plan(spec: string): CampaignPlan {
  const r = h.tbps(['campaign', 'plan', spec, '--json', '--operator', 'pilot']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as CampaignPlan;
}

/** Runs a campaign to its end; returns its wall seconds (the campaign workflow's start to close). */
async function runCampaign(spec: string, name: string): Promise<number> {
  const r = await h.tbpsAsync(['campaign', 'start', spec, '--wait', '--operator', 'pilot']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const d = await client.workflow.getHandle(`campaign/${name}`).describe();
  expect(d.status.name).toBe('COMPLETED');
  return (d.closeTime!.getTime() - d.startTime.getTime()) / 1000;
}

describe('campaign plan', () => {
  it('counts the work, keeps step1 graphs for the run, and predicts a second run’s wall time within 50%', async () => {
    const repo = path.join(h.home, 'repo');
    execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, '--visits', VISIT_LIST.join(',')], { env: withLsstPath({ ...process.env }) as NodeJS.ProcessEnv, stdio: 'pipe' });

    // Bad input: a pipeline that does not load -> exit 2 naming the key; nothing started.
    const broken = path.join(h.home, 'broken.yaml');
    writeFileSync(broken, 'description: broken\ntasks: [isr, {class: \n');
    const bad = h.tbps(['campaign', 'plan', demoSpec('broken', repo, broken), '--operator', 'pilot']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/steps\[step1\]\.pipelineYaml/);
    expect(bad.stderr).toMatch(/does not load/);
    await expect(client.workflow.getHandle('campaign/broken').describe()).rejects.toThrow();

    const first = demoSpec('planfirst', repo);
    const before = plan(first);
    expect(before.steps.map((s) => s.step)).toEqual(['step1', 'step2', 'step3']);
    expect(before.steps[0].groups).toHaveLength(2);
    const step1Jobs = before.steps[0].groups.flatMap((g) => g.labels).filter((l) => l.label === 'step1_detector');
    expect(step1Jobs).toHaveLength(2);
    for (const l of step1Jobs) expect(l.quanta).toBe(5 * l.jobs); // isr .. transformSourceTable per detector
    expect(before.steps[2].groups[0].labels.find((l) => l.label === 'step3_patch')!.jobs).toBeGreaterThan(0);
    expect(before.totals.wallSeconds).toBeNull();
    expect(before.notes.join('\n')).toMatch(/no past run of these labels/);

    await runCampaign(first, 'planfirst');
    // The real start reused the graphs the plan made for step1 (same inputs).
    await withStore(h.home, async (s) => {
      for (const g of ['g1', 'g2']) {
        const run = await s.getRun(`planfirst_step1_${g}`);
        expect(run?.state).toBe('SUCCEEDED');
        expect(readFileSync(path.join(run!.submitPath!, 'quantumGraphGeneration.out'), 'utf8')).toMatch(/reused the quantum graph made by tbps campaign plan planfirst/);
      }
      // Later steps' graphs are made by the run itself (their input did not exist when planned).
      expect(readFileSync(path.join((await s.getRun('planfirst_step2_g1'))!.submitPath!, 'quantumGraphGeneration.out'), 'utf8')).not.toMatch(/reused/);
    });

    const second = demoSpec('plansecond', repo);
    const predicted = plan(second);
    expect(predicted.notes).toEqual([]);
    expect(predicted.totals.cpuHours).toBeGreaterThan(0);
    expect(predicted.totals.peakMemoryMb).toBeGreaterThan(0);
    const wall = predicted.totals.wallSeconds!;
    expect(wall).toBeGreaterThan(0);
    const actual = await runCampaign(second, 'plansecond');
    console.log(`campaign plan: predicted wall ${wall.toFixed(1)} s, actual ${actual.toFixed(1)} s, ratio ${(wall / actual).toFixed(2)}`);
    expect(Math.abs(wall - actual)).toBeLessThanOrEqual(0.5 * actual);
  }, 3_600_000);
});
