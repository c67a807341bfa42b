// `npx tsx bench/history.ts --quanta N`: a synthetic DRP-shaped run of ~N single-quantum jobs (each `true`) on a
// private stack, then every workflow execution of the run (run, batches, and their continue-as-new successors)
// is listed from Temporal visibility with its history length. Shows that no history grows with the job count.
// Last line: jobs=… workflows=… max_history_events=… seconds=…
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { flag, startStack } from './lib/stack.js';

const quanta = Number(flag('quanta', '100000'));
const slots = Number(flag('slots', '8'));
const stack = await startStack('history');
try {
  stack.startWorker('orchestrator');
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: String(slots), TBPS_EXECUTOR_SLOTS: String(slots * 2) });
  const cfg = path.join(stack.home, 'big.yaml');
  writeFileSync(
    cfg,
    [
      'payloadName: big',
      'uniqProcName: bench_big',
      `submitPath: ${path.join(stack.home, 'submit')}`,
      `syntheticGraph: {quanta: ${quanta}}`,
      'runQuantumCommand: "true {qgraphNodeId}"',
      'requestMemory: 64',
      'runInit: false',
      'finalJob: {whenRun: NEVER}',
      '',
    ].join('\n'),
  );
  for (let i = 0; i < 120 && stack.tbps(['ping']).code !== 0; i++) await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  const r = stack.tbps(['submit', cfg, '--wait']);
  const seconds = (performance.now() - t0) / 1000;
  console.log(r.stdout.split('\n').filter((l) => /TOTAL|SUCCEEDED/.test(l)).slice(0, 3).join('\n'));
  if (r.code !== 0) throw new Error(`run did not succeed:\n${r.stdout}\n${r.stderr}`);

  const connection = await Connection.connect({ address: stack.address });
  const client = new Client({ connection });
  let workflows = 0;
  let max = 0;
  let maxId = '';
  let runExecutions = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "run/bench_big"` })) {
    workflows++;
    if (wf.workflowId === 'run/bench_big') runExecutions++;
    if (wf.historyLength > max) {
      max = wf.historyLength;
      maxId = `${wf.workflowId} (${wf.runId})`;
    }
  }
  await connection.close();
  const jobs = Number(/Jobs:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
  console.log(`run workflow executions (continue-as-new chain): ${runExecutions}; longest history: ${maxId}`);
  console.log(`jobs=${jobs} workflows=${workflows} max_history_events=${max} seconds=${seconds.toFixed(1)}`);
} finally {
  await stack.stop();
}
