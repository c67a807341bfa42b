// `npx tsx bench/history.ts --quanta N`: a synthetic DRP-shaped run of ~N single-quantum jobs (each `true`) on a
// private stack, then every workflow execution of the run (run, batches, and their continue-as-new successors)
// is listed from Temporal visibility with its history length. Shows that no history grows with the job count.
// Last line: jobs=… workflows=… max_history_events=… seconds=…
import { Client, Connection } from '@temporalio/client';
import { flag, startStack } from './lib/stack.js';

const quanta = Number(flag('quanta', '100000'));
const slots = Number(flag('slots', '8'));
const stack = await startStack('history');
try {
  stack.startWorker('orchestrator');
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: String(slots), TBPS_EXECUTOR_SLOTS: String(slots * 2) });
  const { seconds, stdout } = await stack.timedNoopRun('bench_big', `syntheticGraph: {quanta: ${quanta}}`);
  console.log(stdout.split('\n').filter((l) => /TOTAL/.test(l)).join('\n'));

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
  const jobs = Number(/Jobs:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  console.log(`run workflow executions (continue-as-new chain): ${runExecutions}; longest history: ${maxId}`);
  console.log(`jobs=${jobs} workflows=${workflows} max_history_events=${max} seconds=${seconds.toFixed(1)}`);
} finally {
  await stack.stop();
}
