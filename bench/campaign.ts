// `npm run bench:campaign -- --groups 2000 [--concurrency 16] [--quanta 3] [--slots 8]`: one campaign step of N
// tiny groups (each a run of pipetaskInit, Q no-op quanta and finalJob, all `true`) on a private stack with the real
// CLI and workers, timed from `campaign start` to the campaign's end. Then every execution of the campaign workflow
// (its continue-as-new chain) is read back from Temporal: the longest history in events and in bytes must stay under
// Temporal's warning limits (10,240 events, 10 MiB). Baseline from the same run: the events of all executions
// together, i.e. the one history the campaign would have written without continuing-as-new inside the step.
// Last line: groups=… seconds=… max_history_events=… max_history_bytes=… …
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { CampaignStatus } from '../core/campaign/index.js';
import { writeQuantumGraph, type QuantumRecord } from '../core/qgraph/index.js';
import { flag, startStack } from './lib/stack.js';
import { workflowExecutions } from './lib/workflowExecutions.js';

/** Temporal's history warning limits (errors come at 51,200 events / 50 MiB). */
const WARN_EVENTS = 10_240;
const WARN_BYTES = 10 * 1024 * 1024;
const HARD_EVENTS = 51_200;

function positive(name: string, dflt: string): number {
  const v = Number(flag(name, dflt));
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench:campaign: --${name} must be a positive whole number (got '${flag(name, dflt)}')`);
    process.exit(2);
  }
  return v;
}

const groups = positive('groups', '2000');
const concurrency = positive('concurrency', '16');
const quanta = positive('quanta', '3');
const slots = positive('slots', '8');
const NAME = 'bench_campaign';

const stack = await startStack('campaign');
const connection = await Connection.connect({ address: stack.address });
const client = new Client({ connection });
try {
  stack.startWorker('orchestrator');
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: String(slots), TBPS_EXECUTOR_SLOTS: String(slots * 2) });

  // One tiny graph shared by every group (copied into each group's submit directory).
  const graph = path.join(stack.home, 'tiny.qgraph.jsonl');
  const records = (function* (): Generator<QuantumRecord> {
    for (let i = 0; i < quanta; i++) yield { id: `tiny-${i}`, label: 'tiny', dataId: { n: i }, parents: [] };
  })();
  await writeQuantumGraph(graph, { format: 'tbps-qgraph', version: 1, metadata: {}, tasks: [{ label: 'tiny', dimensions: ['n'] }], quanta }, records);
  writeFileSync(
    path.join(stack.home, 'base.yaml'),
    [
      'payloadName: bench_campaign',
      'inCollection: HSC/defaults',
      'dataQuery: "instrument=\'HSC\'"',
      `qgraphFile: ${graph}`,
      `submitPath: ${path.join(stack.work, 'submit', '{outputRun}')}`,
      'runQuantumCommand: "true {qgraphNodeId}"',
      'requestMemory: 64',
      'numberOfRetries: 0',
      'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
      'finalJob: {whenRun: ALWAYS, command1: "true"}',
      '',
    ].join('\n'),
  );
  const spec = path.join(stack.home, 'campaign.yaml');
  writeFileSync(
    spec,
    [`name: ${NAME}`, 'baseConfig: base.yaml', `concurrency: ${concurrency}`, 'steps:', '  - name: step1', `    split: {dimension: visit, ranges: [{from: 1, to: ${groups}}], groupSize: 1}`, ''].join('\n'),
  );
  for (let i = 0; i < 120 && stack.tbps(['ping']).code !== 0; i++) await new Promise((r) => setTimeout(r, 500));

  const t0 = performance.now();
  const start = stack.tbps(['campaign', 'start', spec, '--operator', 'bench']);
  if (start.code !== 0) throw new Error(`campaign start failed:\n${start.stdout}\n${start.stderr}`);
  const handle = client.workflow.getHandle(`campaign/${NAME}`);
  const progress = setInterval(() => {
    handle
      .query<CampaignStatus>('status')
      .then((s) => {
        const all = s.steps[0].groups;
        const done = all.filter((g) => g.status === 'SUCCEEDED').length;
        console.log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${done}/${all.length} groups succeeded`);
      })
      .catch(() => undefined);
  }, 60_000);
  const final = (await handle.result().finally(() => clearInterval(progress))) as CampaignStatus;
  const seconds = (performance.now() - t0) / 1000;
  const succeeded = final.steps[0].groups.filter((g) => g.status === 'SUCCEEDED').length;
  if (final.phase !== 'SUCCEEDED' || succeeded !== groups) throw new Error(`campaign ended ${final.phase} with ${succeeded}/${groups} groups succeeded`);

  // `campaign show` answers from the compact status and the store, for every group; `campaign list` (the same
  // CLI start, connection and store, no group detail) is its baseline.
  const timed = (args: string[]) => {
    const t = performance.now();
    const r = stack.tbps(args);
    if (r.code !== 0) throw new Error(`tbps ${args.join(' ')} failed: ${r.stderr}`);
    return { out: r.stdout, seconds: (performance.now() - t) / 1000 };
  };
  const listSeconds = timed(['campaign', 'list']).seconds;
  const { out: showJson, seconds: showSeconds } = timed(['campaign', 'show', NAME, '--json']);
  const show = { stdout: showJson };
  const shown = JSON.parse(show.stdout) as { steps: Array<{ groups: Array<{ counts?: { succeeded: number } }> }> };
  const counted = shown.steps[0].groups.filter((g) => (g.counts?.succeeded ?? 0) === quanta + 2).length;
  if (counted !== groups) throw new Error(`campaign show has job counts for ${counted} of ${groups} groups`);

  const executions = await workflowExecutions(client, `campaign/${NAME}`);
  if (executions.length === 0) throw new Error('no execution of the campaign workflow found in visibility');
  const maxEvents = Math.max(...executions.map((e) => e.events));
  const maxBytes = Math.max(...executions.map((e) => e.bytes));
  const totalEvents = executions.reduce((a, e) => a + e.events, 0);
  const totalBytes = executions.reduce((a, e) => a + e.bytes, 0);
  console.log(`campaign workflow executions (continue-as-new chain): ${executions.map((e) => e.events).join(' + ')} events`);
  console.log(`baseline: the same campaign in one history would hold ${totalEvents} events, ${(totalBytes / 1048576).toFixed(2)} MiB (${(totalEvents / HARD_EVENTS).toFixed(2)}x the 51,200-event hard limit)`);
  console.log(`campaign show --json of ${groups} groups: ${showSeconds.toFixed(2)} s, ${(show.stdout.length / 1024).toFixed(0)} KiB (campaign list: ${listSeconds.toFixed(2)} s)`);
  const within = maxEvents < WARN_EVENTS && maxBytes < WARN_BYTES;
  console.log(
    `groups=${groups} seconds=${seconds.toFixed(1)} max_history_events=${maxEvents} max_history_bytes=${maxBytes} executions=${executions.length} ` +
      `events_per_group=${(totalEvents / groups).toFixed(1)} single_history_events=${totalEvents} max_vs_single=${(maxEvents / totalEvents).toFixed(3)} ` +
      `max_events_vs_warning=${(maxEvents / WARN_EVENTS).toFixed(2)} max_bytes_vs_warning=${(maxBytes / WARN_BYTES).toFixed(3)} show_seconds=${showSeconds.toFixed(2)} show_vs_list=${(showSeconds / listSeconds).toFixed(2)} within_warning_limits=${within}`,
  );
  if (!within) process.exitCode = 1;
} finally {
  await connection.close();
  await stack.stop();
}
