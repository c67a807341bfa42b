// Records campaign and nightly workflow histories for the replay test (tests/integration/replay.test.ts): a campaign
// with an auto-pause after a planted failure, an edit, a retry, a gate rejected then accepted, continue-as-new at each step boundary; one with a skipped
// group; a cancelled one; one that continues-as-new inside its step (lowered threshold) with runs going on across
// the boundary, a retry, a pause and a skip, and one of its group runs (which signals the campaign when it ends);
// nightly workflows with and without data. Run it when a change to workflows/campaign.ts,
// workflows/campaignManager.ts or workflows/nightly.ts is *meant* to be incompatible, or to add histories of new
// code paths:  npx tsx scripts/record-campaign-histories.ts [--out DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { flag, startStack } from '../bench/lib/stack.js';
import type { CampaignStatus } from '../core/campaign/index.js';
import { repoRoot, requireTemporalCli } from '../paths/index.js';

const out = flag('out', path.join(repoRoot, 'tests', 'fixtures', 'histories'));
mkdirSync(out, { recursive: true });
const stack = await startStack('record-campaign');
const connection = await Connection.connect({ address: stack.address });
const client = new Client({ connection });
const status = (n: string) => client.workflow.getHandle(`campaign/${n}`).query('status') as Promise<CampaignStatus>;
async function until(n: string, cond: (s: CampaignStatus) => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = await status(n).catch(() => undefined);
    if (s && cond(s)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting on campaign ${n}`);
}
const must = (args: string[]) => {
  const r = stack.tbps(args);
  if (r.code !== 0) throw new Error(`tbps ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
try {
  stack.startWorker('orchestrator');
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: '4' });
  const d = stack.home;
  writeFileSync(path.join(d, 'fail.txt'), 'replay_campaign_step1_g2\nreplay_campaign_skip_step1_g2\n');
  writeFileSync(path.join(d, 'job.sh'), 'case "$TBPS_JOB_LABEL" in calibrate) grep -qx "$1" "$(dirname "$0")/fail.txt" && exit 1;; esac\nsleep ${2:-0}\nexit 0\n');
  const base = (name: string, sleep: string) => {
    writeFileSync(
      path.join(d, `${name}.yaml`),
      ['payloadName: replay', 'syntheticGraph: {quanta: 40}', `runQuantumCommand: "sh ${path.join(d, 'job.sh')} {uniqProcName} ${sleep}"`, 'requestMemory: 64', 'numberOfRetries: 0',
        'pipetask: {pipetaskInit: {runQuantumCommand: "true"}}', 'finalJob: {whenRun: ALWAYS, command1: "true"}', ''].join('\n'),
    );
  };
  base('base', '0');
  base('slow', '1');
  const spec = (name: string, lines: string[]) => {
    const f = path.join(d, `${name}.campaign.yaml`);
    writeFileSync(f, [`name: ${name}`, ...lines, ''].join('\n'));
    return f;
  };
  for (let i = 0; i < 120 && stack.tbps(['ping']).code !== 0; i++) await new Promise((r) => setTimeout(r, 500));

  must(['campaign', 'start', spec('replay_campaign', ['baseConfig: base.yaml', 'steps:', '  - {name: step1, split: {dimension: visit, values: [1, 2]}}', '  - {name: step2, gate: true}', '  - {name: step3}']), '--operator', 'pilot', '--continue-as-new-after', '1']);
  await until('replay_campaign', (s) => s.paused);
  must(['campaign', 'edit', 'replay_campaign', '--step', 'step3', '-d', "instrument='HSC'", '--operator', 'pilot']);
  writeFileSync(path.join(d, 'fail.txt'), 'replay_campaign_skip_step1_g2\n');
  must(['campaign', 'retry', 'replay_campaign', '--step', 'step1', '--operator', 'pilot']);
  await until('replay_campaign', (s) => s.phase === 'awaiting-accept');
  must(['campaign', 'reject', 'replay_campaign', '--step', 'step2', '--group', 'g1', '--operator', 'pilot']);
  must(['campaign', 'accept', 'replay_campaign', '--step', 'step2', '--operator', 'pilot']);
  await client.workflow.getHandle('campaign/replay_campaign').result();

  must(['campaign', 'start', spec('replay_campaign_skip', ['baseConfig: base.yaml', 'steps:', '  - {name: step1, split: {dimension: visit, values: [1, 2]}}']), '--operator', 'pilot']);
  await until('replay_campaign_skip', (s) => s.paused);
  must(['campaign', 'skip', 'replay_campaign_skip', '--step', 'step1', '--group', 'g2', '--operator', 'pilot']);
  must(['campaign', 'resume', 'replay_campaign_skip', '--operator', 'pilot']);
  await client.workflow.getHandle('campaign/replay_campaign_skip').result();

  must(['campaign', 'start', spec('replay_campaign_cancel', ['baseConfig: slow.yaml', 'steps:', '  - {name: step1}', '  - {name: step2}']), '--operator', 'pilot']);
  await until('replay_campaign_cancel', (s) => s.steps[0].groups.some((g) => g.status === 'running'));
  await new Promise((r) => setTimeout(r, 3000));
  must(['campaign', 'cancel', 'replay_campaign_cancel']);
  await client.workflow.getHandle('campaign/replay_campaign_cancel').result().catch(() => undefined);

  writeFileSync(path.join(d, 'fail.txt'), 'replay_campaign_midstep_step1_g3\n');
  must(['campaign', 'start', spec('replay_campaign_midstep', ['baseConfig: base.yaml', 'concurrency: 2', 'failurePolicy: {onFailure: continue}', 'steps:', '  - {name: step1, split: {dimension: visit, values: [1, 2, 3, 4, 5, 6, 7]}}', '  - {name: step2}']), '--operator', 'pilot', '--continue-as-new-after', '20']);
  await until('replay_campaign_midstep', (s) => s.steps[0].groups[2]?.status === 'FAILED');
  writeFileSync(path.join(d, 'fail.txt'), '');
  must(['campaign', 'retry', 'replay_campaign_midstep', '--step', 'step1', '--group', 'g3', '--operator', 'pilot']);
  must(['campaign', 'pause', 'replay_campaign_midstep', '--operator', 'pilot']);
  await until('replay_campaign_midstep', (s) => s.steps[0].groups.every((g) => g.status !== 'running' && g.status !== 'starting'));
  const pending = (await status('replay_campaign_midstep')).steps[0].groups.filter((g) => g.status === 'pending' && !g.retry);
  if (pending.length > 0) must(['campaign', 'skip', 'replay_campaign_midstep', '--step', 'step1', '--group', pending[pending.length - 1].id, '--operator', 'pilot']);
  must(['campaign', 'resume', 'replay_campaign_midstep', '--operator', 'pilot']);
  await client.workflow.getHandle('campaign/replay_campaign_midstep').result();

  const tpl = spec('replay_nightly', ['baseConfig: base.yaml', 'steps:', '  - {name: step1, dataQuery: "day_obs = {dayObs}"}', "nightly: {dataNights: ['2026-11-01']}"]);
  for (const night of ['2026-11-01', '2026-11-02']) {
    const h = await client.workflow.start('nightlyWorkflow', {
      workflowId: `nightly/replay-${night}`,
      taskQueue: 'bench-record-campaign',
      args: [{ templateFile: tpl, cwd: d, taskQueuePrefix: 'bench-record-campaign', operator: 'pilot', night }],
    });
    await h.result();
  }
  await client.workflow.getHandle('campaign/replay_nightly_20261101').result();

  let n = 0;
  const query = `WorkflowType = 'campaignWorkflow' OR WorkflowType = 'nightlyWorkflow' OR WorkflowId = 'run/replay_campaign_midstep_step1_g3'`;
  for await (const wf of client.workflow.list({ query })) {
    const json = execFileSync(requireTemporalCli(), ['workflow', 'show', '--address', stack.address, '-w', wf.workflowId, '-r', wf.runId, '--output', 'json'], { maxBuffer: 256 << 20 });
    writeFileSync(path.join(out, `${wf.workflowId.replaceAll('/', '_')}.${wf.runId}.json`), json);
    n++;
  }
  console.log(`recorded ${n} campaign/nightly histories into ${out}`);
} finally {
  await connection.close();
  await stack.stop();
}
