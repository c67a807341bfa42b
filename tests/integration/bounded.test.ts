// Configs travel by path and hash, and bad input fails in bounded time, on the real Temporal dev server with real
// worker processes: a config holding a 3 MiB value runs, as a run and as a campaign's groups (no history holds a
// payload of more than a few KiB); restart and runs started with the older inline-config input still work; and
// runs whose input goes bad between submit and the first activity (saved config altered or removed, graph file
// removed) end FAILED with a message naming the file, after one attempt, visible in `tbps report` and `tbps status`.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFromRecords, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../../core/qgraph/index.js';
import type { RunInput, RunSummary } from '../../core/run/types.js';
import { runWorkflowId } from '../../core/run/queues.js';
import { loadSubmitConfig } from '../../core/submit/config.js';
import { SAVED_CONFIG } from '../../core/submit/files.js';
import { sha256 } from '../../core/submit/savedConfig.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { SHELL_INIT_AND_FINAL } from '../helpers/runs.js';

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.stopAll();
});

function runConfig(h: Harness, runId: string, lines: string[]): string {
  const file = path.join(h.home, `${runId}.yaml`);
  const body = [
    `payloadName: ${runId}`,
    `uniqProcName: ${runId}`,
    `outputRun: u/bounded/${runId}`,
    `submitPath: ${path.join(h.home, 'submit', runId)}`,
    `runQuantumCommand: "sh -c 'true' {qgraphNodeId}"`,
    'butlerConfig: /nonexistent/repo',
    'numberOfRetries: 0',
    ...SHELL_INIT_AND_FINAL,
    ...lines,
  ];
  writeFileSync(file, body.join('\n') + '\n');
  return file;
}

/** Sizes of every payload (Temporal's unit of data: workflow input, activity input and result, ...) in a history. */
function payloadSizes(node: unknown, out: number[] = []): number[] {
  if (!node || typeof node !== 'object') return out;
  if (node instanceof Uint8Array) return out;
  const rec = node as Record<string, unknown>;
  if (rec.data instanceof Uint8Array && 'metadata' in rec) out.push(rec.data.length);
  for (const v of Object.values(rec)) payloadSizes(v, out);
  return out;
}

/** No payload of the history (inputs, results, ...) is more than a few KiB. */
function expectSmallPayloads(history: unknown): void {
  const sizes = payloadSizes(history);
  expect(sizes.length).toBeGreaterThan(3);
  expect(Math.max(...sizes)).toBeLessThan(8 * 1024);
}

async function startedInput(client: Client, runId: string): Promise<RunInput> {
  const history = await client.workflow.getHandle(runWorkflowId(runId)).fetchHistory();
  const first = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  expect(first).toBeInstanceOf(Uint8Array);
  return JSON.parse(Buffer.from(first as Uint8Array).toString('utf8')) as RunInput;
}

/** How often the activity of this type was started (attempts), from the run's history. */
async function activityAttempts(client: Client, runId: string, activityType: string): Promise<number[]> {
  const history = await client.workflow.getHandle(runWorkflowId(runId)).fetchHistory();
  const events = history.events ?? [];
  const scheduled = new Map<string, string>();
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
  }
  return events
    .filter((e) => e.activityTaskStartedEventAttributes && scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId)) === activityType)
    .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
}

describe('configs travel by path and hash', () => {
  let h: Harness;
  let client: Client;
  beforeAll(async () => {
    h = createHarness('bounded-big');
    harnesses.push(h);
    h.startOrchestrator();
    h.startExecutor();
    client = await h.client();
  });
  const big = 'x'.repeat(3 * 1024 * 1024);

  it('a config with a 3 MiB value runs to SUCCEEDED and its history holds no payload of more than a few KiB', async () => {
    const file = runConfig(h, 'bigvalue', ['syntheticGraph: {quanta: 12}', `bigNote: "${big}"`]);
    const r = await h.tbpsAsync(['submit', file, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('SUCCEEDED');

    const input = await startedInput(client, 'bigvalue');
    expect(input.config).toBeUndefined();
    const saved = path.join(h.home, 'submit', 'bigvalue', SAVED_CONFIG);
    expect(input.configRef).toEqual({ file: saved, sha256: sha256(readFileSync(saved)) });
    expect(readFileSync(saved, 'utf8')).toContain(big); // the value is in the saved copy, not in Temporal
    expectSmallPayloads(await client.workflow.getHandle(runWorkflowId('bigvalue')).fetchHistory());
  }, 300_000);

  it('a campaign whose base config has a 3 MiB value: group configs go by path, nothing large in any history', async () => {
    const dir = path.join(h.home, 'campaign');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'base.yaml'),
      ['payloadName: camp', 'syntheticGraph: {quanta: 12}', `runQuantumCommand: "sh -c 'true' {qgraphNodeId}"`, ...SHELL_INIT_AND_FINAL, `bigNote: "${big}"`, ''].join('\n'),
    );
    const spec = path.join(dir, 'campaign.yaml');
    writeFileSync(spec, ['name: bigcamp', 'baseConfig: base.yaml', 'steps:', '  - name: step1', '  - name: step2', ''].join('\n'));
    const r = await h.tbpsAsync(['campaign', 'start', spec, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Campaign bigcamp\s+SUCCEEDED/);

    expectSmallPayloads(await client.workflow.getHandle('campaign/bigcamp').fetchHistory());
    for (const runId of ['bigcamp_step1_g1', 'bigcamp_step2_g1']) {
      const input = await startedInput(client, runId);
      expect(input.config, runId).toBeUndefined();
      expect(input.configRef?.file, runId).toBe(path.join(input.submitPath, SAVED_CONFIG));
      expect(readFileSync(input.configRef!.file, 'utf8')).toContain(big);
      expectSmallPayloads(await client.workflow.getHandle(runWorkflowId(runId)).fetchHistory());
    }
  }, 300_000);

  it('restart names the saved config by reference and re-runs what failed', async () => {
    const marker = path.join(h.home, 'restart-ok');
    const file = runConfig(h, 'restarted', ['syntheticGraph: {quanta: 12}']);
    // Payload jobs fail (exit 1, not retried) until the marker exists.
    writeFileSync(file, readFileSync(file, 'utf8').replace(`sh -c 'true'`, `sh -c 'test -e ${marker}'`));
    const first = await h.tbpsAsync(['submit', file, '--wait']);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    writeFileSync(marker, '');
    const again = await h.tbpsAsync(['restart', '--id', 'restarted', '--wait']);
    expect(again.stderr).toBe('');
    expect(again.code, again.stdout).toBe(0);
    const input = await startedInput(client, 'restarted');
    expect(input.restart).toBe(true);
    expect(input.config).toBeUndefined();
    const saved = path.join(h.home, 'submit', 'restarted', SAVED_CONFIG);
    expect(input.configRef).toEqual({ file: saved, sha256: sha256(readFileSync(saved)) });
  }, 300_000);

  it('a run started with the older input shape (the whole config inline) still runs', async () => {
    const file = runConfig(h, 'inline', ['syntheticGraph: {quanta: 12}']);
    const submitPath = path.join(h.home, 'submit', 'inline');
    const legacy = { runId: 'inline', submitPath, config: loadSubmitConfig(file).toJSON(), taskQueuePrefix: h.env.TBPS_TASK_QUEUE as string };
    const handle = await client.workflow.start('runWorkflow', { taskQueue: legacy.taskQueuePrefix, workflowId: runWorkflowId('inline'), args: [legacy] });
    const summary = (await handle.result()) as RunSummary;
    expect(summary.state).toBe('SUCCEEDED');
    expect(JSON.parse(readFileSync(path.join(submitPath, SAVED_CONFIG), 'utf8'))).toEqual(JSON.parse(JSON.stringify(legacy.config)));
  }, 300_000);
});

describe('input that goes bad after submit ends the run FAILED, naming the file, after one attempt', () => {
  it('saved config altered, saved config removed, graph file removed', async () => {
    const h = createHarness('bounded-late');
    harnesses.push(h);
    // The graph of the third run is a file given by qgraphFile (read at submit, removed before the run reads it).
    const graphDir = path.join(h.home, 'graph');
    mkdirSync(graphDir, { recursive: true });
    const { header, records } = syntheticGraph(syntheticOptionsForQuanta(12));
    expect(graphFromRecords(header, records).size).toBeGreaterThan(0);
    const graphFile = path.join(graphDir, 'graph.jsonl');
    await writeQuantumGraph(graphFile, header, records);

    const runs = {
      altered: runConfig(h, 'altered', ['syntheticGraph: {quanta: 12}']),
      removed: runConfig(h, 'removed', ['syntheticGraph: {quanta: 12}']),
      nograph: runConfig(h, 'nograph', [`qgraphFile: ${graphFile}`]),
    };
    // No worker runs yet: each run is started and waits for its first activity.
    for (const file of Object.values(runs)) {
      const r = h.tbps(['submit', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Submitted run');
    }
    const savedOf = (runId: string) => path.join(h.home, 'submit', runId, SAVED_CONFIG);
    for (const runId of Object.keys(runs)) expect(existsSync(savedOf(runId)), runId).toBe(true);
    appendFileSync(savedOf('altered'), ' ');
    rmSync(savedOf('removed'));
    rmSync(graphFile);

    h.startOrchestrator();
    h.startExecutor();
    const client = await h.client();
    const expected: Record<keyof typeof runs, { file: string; says: string; activity: string }> = {
      altered: { file: savedOf('altered'), says: 'changed after submit', activity: 'prepareRun' },
      removed: { file: savedOf('removed'), says: 'saved config is missing', activity: 'prepareRun' },
      nograph: { file: graphFile, says: graphFile, activity: 'generateGraph' },
    };
    for (const [runId, want] of Object.entries(expected)) {
      const summary = (await client.workflow.getHandle(runWorkflowId(runId)).result()) as RunSummary;
      expect(summary.state, runId).toBe('FAILED');
      expect(summary.message, runId).toContain(want.file);
      expect(summary.message, runId).toContain(want.says);
      // Not retried: bad input fails on its first attempt.
      expect(await activityAttempts(client, runId, want.activity), runId).toEqual([1]);

      const report = h.tbps(['report', '--id', runId]);
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toContain('FAILED');
      expect(report.stdout).toContain(want.file);
      const status = h.tbps(['status', '--id', runId]);
      expect(status.stdout.trim()).toBe('FAILED');
      expect(status.code).toBe(9);
    }
  }, 300_000);
});
