// Killing the orchestrator worker (SIGKILL) in the middle of a campaign and starting a new one loses nothing: the
// campaign and its runs resume from Temporal history, every group ends SUCCEEDED with one execution, and every
// job of every group succeeded exactly once.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupRunId, type CampaignStatus } from '../../core/campaign/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { waitFor, withStore } from '../helpers/runs.js';

let h: Harness;
let orchestrator: ChildProcess;
let client: Client;

beforeAll(async () => {
  h = createHarness('campaigncrash');
  orchestrator = h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '4', TBPS_EXECUTOR_MEMORY_MB: '4000' });
  client = await h.client();
});
afterAll(async () => h?.stopAll());

describe('a campaign survives the loss of its orchestrator worker', () => {
  it('finishes every group exactly once after SIGKILL and a new worker', async () => {
    const dir = path.join(h.home, 'crash');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'base.yaml'),
      [
        'payloadName: crash',
        'inCollection: HSC/defaults',
        'dataQuery: "instrument=\'HSC\'"',
        'syntheticGraph: {quanta: 60}',
        `runQuantumCommand: "sh -c 'sleep 0.2' {qgraphNodeId}"`,
        'requestMemory: 64',
        'jobHeartbeatTimeout: 10',
        'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
        'finalJob: {whenRun: ALWAYS, command1: "true"}',
        '',
      ].join('\n'),
    );
    const spec = path.join(dir, 'campaign.yaml');
    writeFileSync(
      spec,
      [
        'name: itc_crash',
        'baseConfig: base.yaml',
        'concurrency: 2',
        'steps:',
        '  - name: step1',
        '    split: {dimension: visit, values: [1, 2, 3, 4], groupSize: 2}',
        '  - name: step2',
        '    split: {dimension: visit, values: [1, 2, 3, 4], groupSize: 2}',
        '',
      ].join('\n'),
    );
    const start = h.tbps(['campaign', 'start', spec]);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const status = async () => (await client.workflow.getHandle('campaign/itc_crash').query('status')) as CampaignStatus;

    // Kill the orchestrator while step 1's groups have jobs running.
    await waitFor('step1 jobs running', async () => {
      const s = await status().catch(() => undefined);
      if (!s?.steps[0].groups.some((g) => g.status === 'running')) return false;
      return withStore(h.home, async (st) => {
        for (const g of s.steps[0].groups) if (((await st.stateCounts(groupRunId('itc_crash', 'step1', g.id)).catch(() => undefined))?.SUCCEEDED ?? 0) > 3) return true;
        return false;
      });
    });
    orchestrator.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 3000));
    orchestrator = h.startOrchestrator();

    await waitFor('the campaign to end', async () => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes((await status().catch(() => undefined))?.phase ?? ''), 300_000);
    const s = await status();
    expect(s.phase).toBe('SUCCEEDED');
    await withStore(h.home, async (st) => {
      for (const step of s.steps) {
        expect(step.groups).toHaveLength(2);
        for (const g of step.groups) {
          const runId = groupRunId('itc_crash', step.name, g.id);
          expect(g.status).toBe('SUCCEEDED');
          expect(g.executions).toBe(1); // the run was not started twice
          const counts = await st.stateCounts(runId);
          const jobs = await st.jobsByState(runId, 'SUCCEEDED', 100_000);
          expect(jobs.length).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
          for (const j of jobs) expect((await st.attempts(runId, j.name)).filter((a) => a.state === 'SUCCEEDED')).toHaveLength(1);
        }
      }
    });
  }, 400_000);
});
