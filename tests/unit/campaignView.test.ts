// The campaign's compact workflow state and the operator's view of it (pure, core/campaign): a group's activity
// input carries only its own split values, the state carried across continue-as-new drops what the store holds,
// and the view joins each group's run detail from the store (store/campaignRuns.ts, on a real SQLite file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_GROUP_MESSAGE,
  campaignView,
  continuedState,
  parseCampaignSpec,
  splitStep,
  stepForGroup,
  type CampaignState,
  type CampaignStatus,
} from '../../core/campaign/index.js';
import type { JobSpec } from '../../core/workflow/model.js';
import { openStore, type Store } from '../../store/index.js';

const spec = parseCampaignSpec({
  name: 'drp',
  baseConfig: 'base.yaml',
  steps: [{ name: 'step1', dataQuery: "instrument='HSC'", split: { dimension: 'visit', ranges: [{ from: 1, to: 2000 }], groupSize: 1 } }, { name: 'step2' }],
});

describe('stepForGroup', () => {
  it("reduces a step's split to the group's values; an unsplit step is unchanged", () => {
    const groups = splitStep(spec.steps[0]);
    expect(groups).toHaveLength(2000);
    const step = stepForGroup(spec.steps[0], groups[1233]);
    expect(step).toEqual({ name: 'step1', dataQuery: "instrument='HSC'", split: { dimension: 'visit', groups: [[1234]] } });
    expect(splitStep(step)).toEqual([{ id: 'g1', values: [1234] }]);
    expect(JSON.stringify(step).length).toBeLessThan(120);
    expect(stepForGroup(spec.steps[1], { id: 'g1', values: [] })).toBe(spec.steps[1]);
  });
});

describe('continuedState', () => {
  const state: CampaignState = {
    phase: 'paused',
    paused: true,
    pauseReason: 'look',
    current: 0,
    startedAt: '2026-01-01T00:00:00.000Z',
    actions: Array.from({ length: 700 }, (_, i) => ({ action: 'pause', operator: 'p', at: `t${i}` })),
    steps: [
      {
        name: 'step1',
        status: 'running',
        groups: [
          // A group as campaigns before the compact state kept it.
          { id: 'g1', runId: 'drp_step1_g1', status: 'SUCCEEDED', executions: 1, dataQuery: 'q', submitPath: '/s/g1', counts: { succeeded: 5, failed: 0, pruned: 0, jobs: 5 }, retry: false },
          { id: 'g2', status: 'pending', executions: 1, retry: true, decision: 'rejected', message: 'x'.repeat(2000) },
        ],
      },
    ],
  };
  it('keeps id, status, executions, retry, decision and a short message; the latest actions', () => {
    const next = continuedState(state, 500);
    expect(next.steps[0].groups[0]).toEqual({ id: 'g1', status: 'SUCCEEDED', executions: 1 });
    expect(next.steps[0].groups[1]).toMatchObject({ id: 'g2', status: 'pending', executions: 1, retry: true, decision: 'rejected' });
    expect(next.steps[0].groups[1].message).toHaveLength(MAX_GROUP_MESSAGE);
    expect(next.actions).toHaveLength(500);
    expect(next.actions[0].at).toBe('t200');
    expect(next).toMatchObject({ phase: 'paused', paused: true, pauseReason: 'look', current: 0 });
    expect(state.steps[0].groups[0].submitPath).toBe('/s/g1'); // the running state is not changed
  });
  it('holds 2,000 groups in about 100 KB', () => {
    const big: CampaignState = { ...state, actions: [], steps: [{ name: 'step1', status: 'running', groups: splitStep(spec.steps[0]).map((g) => ({ id: g.id, status: 'SUCCEEDED', executions: 1 })) }] };
    expect(JSON.stringify(continuedState(big, 500)).length).toBeLessThan(110_000);
  });
});

describe('campaignView with the store', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'campaign-view-'));
    store = await openStore(join(dir, 'tbps.db'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const job = (name: string): JobSpec => ({
    name,
    kind: 'payload',
    label: 'task',
    batch: 0,
    quanta: 1,
    argv: ['true'],
    environment: {},
    requestMemory: 64,
    memoryMultiplier: 2,
    requestCpus: 1,
    numberOfRetries: 0,
    retryUnlessExit: [1, 2],
    computeSite: 'local',
    parents: [],
  });

  it("joins each group's run: data query, submit path, site, job counts; a failed group's message", async () => {
    await store.upsertRun({ runId: 'drp_step1_g1', campaign: 'drp', submitPath: '/s/g1', dataQuery: "(instrument='HSC') AND visit IN (1)", computeSite: 'site1', state: 'SUCCEEDED' });
    await store.upsertRun({ runId: 'drp_step1_g2', campaign: 'drp', submitPath: '/s/g2', dataQuery: "(instrument='HSC') AND visit IN (2)", computeSite: 'site1', state: 'FAILED', message: 'graph failed' });
    await store.upsertRun({ runId: 'other_step1_g1', campaign: 'other', submitPath: '/s/o', state: 'SUCCEEDED' });
    await store.insertJobs('drp_step1_g1', [job('a'), job('b'), job('c')]);
    await store.setJobStates('drp_step1_g1', ['a', 'b'], 'SUCCEEDED');
    await store.setJobStates('drp_step1_g1', ['c'], 'FAILED');
    await store.insertJobs('other_step1_g1', [job('a')]);

    const runs = await store.campaignRunDetails('drp');
    expect([...runs.keys()].sort()).toEqual(['drp_step1_g1', 'drp_step1_g2']);
    expect(runs.get('drp_step1_g1')!.jobStates).toEqual({ SUCCEEDED: 2, FAILED: 1 });
    expect(runs.get('drp_step1_g2')!.jobStates).toEqual({});

    const status: CampaignStatus = {
      name: 'drp',
      operator: 'pilot',
      spec,
      phase: 'running',
      paused: false,
      current: 0,
      startedAt: '2026-01-01T00:00:00.000Z',
      actions: [],
      steps: [
        {
          name: 'step1',
          status: 'running',
          groups: [
            { id: 'g1', status: 'SUCCEEDED', executions: 1 },
            { id: 'g2', status: 'FAILED', executions: 1 },
            { id: 'g3', status: 'pending', executions: 0 },
          ],
        },
        { name: 'step2', status: 'pending', groups: [] },
      ],
    };
    const view = campaignView(status, runs);
    expect(view.steps[0].groups).toEqual([
      {
        id: 'g1',
        status: 'SUCCEEDED',
        executions: 1,
        runId: 'drp_step1_g1',
        dataQuery: "(instrument='HSC') AND visit IN (1)",
        submitPath: '/s/g1',
        computeSite: 'site1',
        counts: { succeeded: 2, failed: 1, pruned: 0, jobs: 3 },
      },
      { id: 'g2', status: 'FAILED', executions: 1, runId: 'drp_step1_g2', dataQuery: "(instrument='HSC') AND visit IN (2)", submitPath: '/s/g2', computeSite: 'site1', message: 'graph failed' },
      { id: 'g3', status: 'pending', executions: 0, runId: 'drp_step1_g3' },
    ]);
    expect(view.steps[1].groups).toEqual([]);
  });

  it('keeps what an older campaign state holds where the store has nothing', () => {
    const status = {
      name: 'old',
      operator: 'pilot',
      spec,
      phase: 'running',
      paused: false,
      current: 0,
      startedAt: 't',
      actions: [],
      steps: [{ name: 'step1', status: 'running', groups: [{ id: 'g1', runId: 'old_step1_g1', status: 'FAILED', executions: 1, dataQuery: 'q', submitPath: '/s', counts: { succeeded: 1, failed: 1, pruned: 0, jobs: 2 }, message: 'kept' }] }],
    } satisfies CampaignStatus;
    expect(campaignView(status, new Map()).steps[0].groups[0]).toEqual(status.steps[0].groups[0]);
  });
});
