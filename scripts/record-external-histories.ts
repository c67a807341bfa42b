// Records workflow histories of runs on an external workload system for the determinism (replay) tests, so that
// externalBatchWorkflow and the external paths of runWorkflow (pipetaskInit and finalJob as WMS units, cancel) are
// replayed too: a run on the Slurm test cluster with a job failing once (retried inside the WMS) and one failing for
// good, its restart, and a cancelled run. Needs the cluster (bash scripts/setup-slurm.sh). Run it when a workflow
// change is *meant* to be incompatible, and say so in the commit:  npx tsx scripts/record-external-histories.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { flag, startStack } from '../bench/lib/stack.js';
import { repoRoot, requireTemporalCli } from '../paths/index.js';

const out = flag('out', path.join(repoRoot, 'tests', 'fixtures', 'histories'));
mkdirSync(out, { recursive: true });
const slurmScript = path.join(repoRoot, 'scripts', 'slurm.sh');
if (spawnSync('bash', [slurmScript, 'start'], { stdio: 'inherit' }).status !== 0) throw new Error("the Slurm test cluster does not start: run 'bash scripts/setup-slurm.sh' (as root)");
const stack = await startStack('record-external');
try {
  stack.startWorker('orchestrator', { TBPS_SLURM_PREFIX: `bash ${slurmScript} exec` });
  const script = path.join(stack.home, 'job.sh');
  writeFileSync(
    script,
    [
      'case "$TBPS_JOB_NAME" in',
      '  isr_903336_0) [ "$TBPS_ATTEMPT" = 1 ] && { echo "RuntimeError: flaky" >&2; exit 3; } ;;',
      '  calibrate_903338_0) [ -e "$(dirname "$0")/fixed" ] || { echo "ValueError: planted" >&2; exit 1; } ;;',
      'esac',
      'exit 0',
      '',
    ].join('\n'),
  );
  const cfg = (name: string, cmd: string) => {
    const f = path.join(stack.home, `${name}.yaml`);
    writeFileSync(
      f,
      [
        `payloadName: ${name}`,
        `uniqProcName: ${name}`,
        `submitPath: ${path.join(stack.home, name)}`,
        'wmsServiceClass: slurm',
        'wmsPollSeconds: 1',
        'syntheticGraph: {quanta: 40}',
        `runQuantumCommand: "${cmd}"`,
        'requestMemory: 64',
        'numberOfRetries: 1',
        'jobBatchSize: 20',
        'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}',
        'finalJob: {whenRun: ALWAYS, command1: "true"}',
        '',
      ].join('\n'),
    );
    return f;
  };
  // No executor runs (every job is a Slurm job): wait for the orchestrator's pollers only.
  for (let i = 0; i < 120 && !/orchestrator pollers on .*: [1-9]/.test(stack.tbps(['ping']).stdout); i++) await new Promise((r) => setTimeout(r, 500));
  const a = stack.tbps(['submit', cfg('replay_slurm', `sh ${script} {qgraphNodeId}`), '--wait']);
  console.log(`planted run exit ${a.code}`);
  writeFileSync(path.join(stack.home, 'fixed'), '');
  console.log(`restart exit ${stack.tbps(['restart', '--id', 'replay_slurm', '--wait']).code}`);
  const b = stack.tbps(['submit', cfg('replay_slurm_cancelled', "sh -c 'sleep 60'")]);
  if (b.code !== 0) throw new Error(b.stderr);
  await new Promise((r) => setTimeout(r, 15_000));
  console.log(stack.tbps(['cancel', '--id', 'replay_slurm_cancelled', '--wait']).stdout.split('\n')[0]);

  const connection = await Connection.connect({ address: stack.address });
  const client = new Client({ connection });
  let n = 0;
  for await (const wf of client.workflow.list({ query: 'WorkflowId STARTS_WITH "run/replay_slurm"' })) {
    const json = execFileSync(requireTemporalCli(), ['workflow', 'show', '--address', stack.address, '-w', wf.workflowId, '-r', wf.runId, '--output', 'json'], { maxBuffer: 256 << 20 });
    writeFileSync(path.join(out, `${wf.workflowId.replaceAll('/', '_')}.${wf.runId.slice(-12)}.json`), json);
    n++;
  }
  await connection.close();
  console.log(`recorded ${n} histories into ${out}`);
} finally {
  await stack.stop();
}
