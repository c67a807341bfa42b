// Records workflow histories for the determinism (replay) tests: a run with a planted failure and several
// batches, and a cancelled run. Run it when a workflow change is *meant* to be incompatible, and say so in the
// commit:  npx tsx scripts/record-histories.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { flag, startStack } from '../bench/lib/stack.js';
import { repoRoot, requireTemporalCli } from '../paths/index.js';

const out = flag('out', path.join(repoRoot, 'tests', 'fixtures', 'histories'));
mkdirSync(out, { recursive: true });
const stack = await startStack('record');
try {
  stack.startWorker('orchestrator');
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: '4' });
  const failScript = path.join(stack.home, 'job.sh');
  writeFileSync(failScript, 'case "$TBPS_JOB_NAME" in *_calibrate_*_1) echo "RuntimeError: planted" >&2; exit 1;; esac\nexit 0\n');
  const cfg = (name: string, cmd: string) => {
    const f = path.join(stack.home, `${name}.yaml`);
    writeFileSync(
      f,
      [
        `payloadName: ${name}`,
        `uniqProcName: ${name}`,
        `submitPath: ${path.join(stack.home, name)}`,
        'syntheticGraph: {quanta: 120}',
        `runQuantumCommand: "${cmd}"`,
        'requestMemory: 64',
        'jobBatchSize: 25',
        'jobHeartbeatTimeout: 10',
        'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
        'finalJob: {whenRun: ALWAYS, command1: "true"}',
        '',
      ].join('\n'),
    );
    return f;
  };
  for (let i = 0; i < 120 && stack.tbps(['ping']).code !== 0; i++) await new Promise((r) => setTimeout(r, 500));
  const a = stack.tbps(['submit', cfg('replay_planted', `sh ${failScript} {qgraphNodeId}`), '--wait']);
  console.log(a.stdout.split('\n').slice(-25).join('\n'));
  const b = stack.tbps(['submit', cfg('replay_cancelled', "sh -c 'sleep 0.5'")]);
  if (b.code !== 0) throw new Error(b.stderr);
  await new Promise((r) => setTimeout(r, 6000));
  console.log(stack.tbps(['cancel', '--id', 'replay_cancelled', '--wait']).stdout.split('\n')[0]);
  const r = stack.tbps(['restart', '--id', 'replay_planted', '--wait']);
  console.log(`restart exit ${r.code}`);

  const connection = await Connection.connect({ address: stack.address });
  const client = new Client({ connection });
  let n = 0;
  for await (const wf of client.workflow.list({ query: 'WorkflowId STARTS_WITH "run/replay_"' })) {
    // Every run workflow, and the batch workflows of the first batches.
    if (/\/batch\/([2-9]|\d\d)/.test(wf.workflowId)) continue;
    // The CLI writes the standard JSON form of a history (what historyFromJSON reads).
    const json = execFileSync(requireTemporalCli(), ['workflow', 'show', '--address', stack.address, '-w', wf.workflowId, '-r', wf.runId, '--output', 'json'], {
      maxBuffer: 256 << 20,
    });
    const file = path.join(out, `${wf.workflowId.replaceAll('/', '_')}.${wf.runId.slice(0, 8)}.json`);
    writeFileSync(file, json);
    n++;
  }
  await connection.close();
  console.log(`recorded ${n} histories into ${out}`);
} finally {
  await stack.stop();
}
