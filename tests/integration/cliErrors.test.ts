// The CLI's edge through the real CLI: unknown verbs and options, bad schedule options, connection settings that
// cannot work and stage commands on bad input each end with exit code 2 and ONE stderr line naming the option,
// variable or key; no workflow or schedule is started and no file is written (the harness's home is compared before
// and after). Cases run a few at a time (the CLI takes ~1.5 s to start).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Per test: a handful of CLI calls on a shared 2-core machine. */
const SLOW = 240_000;
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let client: Client;
let files: { good: string; template: string; pem: string; notPem: string };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

interface Case {
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** what the one line must say: the option, variable or key, and what is wrong */
  says: Array<string | RegExp>;
}

function tbps(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'tbps.js'), ...args], { env: { ...h.env, ...env }, cwd: h.home });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every path under the harness's home, so a test sees any file or directory a command leaves behind. */
function tree(dir = h.home): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p + '/', ...tree(p)] : [p];
  });
}

async function workflowsOnOurQueues(): Promise<number> {
  const queue = h.env.TBPS_TASK_QUEUE!;
  const { count } = await client.workflow.count(`TaskQueue = '${queue}'`);
  return count;
}

async function ourSchedules(): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.scheduleId.startsWith('clierr-')) ids.push(s.scheduleId);
  return ids;
}

/** Runs the cases three at a time; each must end with exit 2 and one stderr line saying what it must say. */
async function expectRefused(cases: Case[]): Promise<void> {
  expect(cases.length).toBeGreaterThan(0);
  const before = tree();
  const results: Result[] = [];
  for (let i = 0; i < cases.length; i += 3) results.push(...(await Promise.all(cases.slice(i, i + 3).map((c) => tbps(c.args, c.env)))));
  cases.forEach((c, i) => {
    const r = results[i];
    const what = `tbps ${c.args.join(' ')}\n${r.stderr}${r.stdout}`;
    expect(r.code, what).toBe(2);
    expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
    for (const s of c.says) expect(r.stderr, what).toMatch(s);
    expect(r.stdout, what).not.toMatch(/Submitted run|created schedule|backfill of/);
  });
  expect(tree()).toEqual(before);
}

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(h.home, `${name}.yaml`);
  writeFileSync(
    file,
    [`payloadName: ${name}`, `outputRun: u/test/${name}`, `submitPath: ${path.join(h.home, 'submit', name)}`, 'butlerConfig: /nonexistent/repo', ...lines].join('\n') + '\n',
  );
  return file;
}

const submitDir = (name: string) => path.join(h.home, 'submit', name);

beforeAll(async () => {
  h = createHarness('clierrors');
  client = await h.client();
  const pem = path.join(h.home, 'client.pem');
  const notPem = path.join(h.home, 'client.txt');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(notPem, 'not a certificate\n');
  const template = path.join(h.home, 'template.yaml');
  writeFileSync(
    template,
    [
      'name: clierr_nightly',
      `baseConfig: ${path.join(repoRoot, 'config/examples/synthetic.yaml')}`,
      'steps:',
      '  - name: step1',
      `    dataQuery: "day_obs = {dayObs}"`,
      '    overrides: {syntheticGraph: {quanta: 20}}',
    ].join('\n') + '\n',
  );
  const good = writeConfig('good', ['syntheticGraph: {quanta: 20}', 'runQuantumCommand: "true"']);
  files = { good, template, pem, notPem };
});

afterAll(async () => {
  await h.stopAll();
});

describe('usage errors', () => {
  it('an unknown verb or option is one line with the closest known one, exit 2', async () => {
    await expectRefused([
      { args: ['sbumit'], says: ["unknown command 'tbps sbumit'", /did you mean 'tbps \w+'\?/, 'known: server, submit'] },
      { args: ['campaign', 'frob'], says: ["unknown command 'tbps campaign frob'", /did you mean 'tbps campaign \w+'/, 'known: start, plan, list'] },
      { args: ['submit', '--wiat', files.good], says: ["tbps submit: error: unknown option '--wiat'", "did you mean '--wait'?"] },
      { args: ['report', 'extra'], says: ['tbps report: error: too many arguments', 'usage: tbps report'] },
    ]);
  }, SLOW);

  it('tbps alone, --help and a bare command group print help to stdout with exit 0', async () => {
    const results = await Promise.all([tbps([]), tbps(['campaign'])]);
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: tbps/);
    }
    expect(results[1].stdout).toMatch(/^Usage: tbps campaign/);
  }, SLOW);
});

describe('schedule options are checked before the server is called', () => {
  it('a bad cron, duration, offset, overlap or backfill time names the option and a good value; no schedule appears', async () => {
    const create = (...extra: string[]) => ['schedule', 'create', 'clierr-nightly', '--template', files.template, ...extra];
    await expectRefused([
      { args: create('--cron', 'every night'), says: ["key '--cron'", "'every night' is not a cron expression", "e.g. '0 14 * * *'"] },
      { args: create('--catchup-window', 'a day'), says: ["key '--catchup-window'", 'not a duration', 'e.g. 90s'] },
      { args: create('--jitter', '10'), says: ["key '--jitter'", "'10' is not a duration"] },
      { args: create('--offset-hours', '36'), says: ["key '--offset-hours'", '-24..24'] },
      // no such schedule either: the times are refused before the server is asked about it
      { args: ['schedule', 'backfill', 'clierr-none', '--start', '11/01/2026', '--end', '2026-11-05'], says: ["key '--start'", 'not an ISO 8601 date', 'e.g. 2026-11-01'] },
    ]);
    expect(await ourSchedules()).toEqual([]);
  }, SLOW);
});

describe('connection settings that cannot work', () => {
  it('name the variable and what would fix it; nothing is submitted', async () => {
    const submit = ['submit', files.good];
    await expectRefused([
      { args: submit, env: { TEMPORAL_NAMESPACE: 'no-such-namespace' }, says: ["TEMPORAL_NAMESPACE: namespace 'no-such-namespace' does not exist", 'temporal operator namespace create'] },
      // a campaign command connects before it opens the store, so not even the store file appears
      { args: ['campaign', 'list'], env: { TEMPORAL_NAMESPACE: 'no-such-namespace' }, says: ['TEMPORAL_NAMESPACE:'] },
      { args: submit, env: { TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(h.home, 'missing.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: files.pem }, says: ['TEMPORAL_TLS_CLIENT_CERT_PATH:', 'missing.pem', 'does not exist'] },
      { args: submit, env: { TEMPORAL_TLS_CLIENT_CERT_PATH: files.pem, TEMPORAL_TLS_CLIENT_KEY_PATH: files.notPem }, says: ['TEMPORAL_TLS_CLIENT_KEY_PATH:', 'is not a PEM'] },
      { args: submit, env: { TEMPORAL_API_KEY: 'abc\ndef' }, says: ['TEMPORAL_API_KEY:', 'a trailing newline?'] },
      { args: submit, env: { TEMPORAL_TLS: 'yes' }, says: ["TEMPORAL_TLS: 'yes' is not one of true, false"] },
    ]);
  }, SLOW);
});

describe('stage commands write nothing on bad input', () => {
  it('a bad value, a missing graph, an undefined variable or a bad cluster leaves no submit directory', async () => {
    const badValue = writeConfig('badvalue', ['syntheticGraph: {quanta: 20}', 'runQuantumCommand: "true"', 'requestMemory: lots']);
    const noGraph = writeConfig('nograph', [`qgraphFile: ${path.join(h.home, 'missing.qgraph.jsonl')}`, 'runQuantumCommand: "true"']);
    const undefinedVar = writeConfig('undefvar', ['syntheticGraph: {quanta: 20}', 'runQuantumCommand: "sh -c true {noSuchThing}"']);
    const badCluster = writeConfig('badcluster', [
      'syntheticGraph: {quanta: 20}',
      'runQuantumCommand: "true"',
      'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering',
      'cluster:',
      '  first: {pipetasks: "isr, noSuchTask", dimensions: "exposure, detector"}',
    ]);
    await expectRefused([
      { args: ['acquire', noGraph], says: ["key 'qgraphFile'", 'missing.qgraph.jsonl', 'does not exist'] },
      { args: ['cluster', badCluster], says: ["key 'cluster.first.pipetasks'", 'noSuchTask'] },
      { args: ['transform', undefinedVar], says: ["key 'runQuantumCommand'", 'noSuchThing'] },
      { args: ['transform', badValue], says: ["key 'requestMemory'", 'lots'] },
      { args: ['prepare', noGraph], says: ["key 'qgraphFile'"] },
      { args: ['prepare', badCluster], says: ["key 'cluster.first.pipetasks'"] },
    ]);
    for (const name of ['badvalue', 'nograph', 'undefvar', 'badcluster']) expect(existsSync(submitDir(name))).toBe(false);
  }, SLOW);

  it('a stage that fails after creating the submit directory removes it', async () => {
    // jobBatchSize is read only when the batches are planned, after the graph was written into the submit directory
    const late = writeConfig('late', ['syntheticGraph: {quanta: 20}', 'runQuantumCommand: "true"', 'jobBatchSize: 0']);
    const before = tree();
    const r = await tbps(['transform', late]);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/>= 1|jobBatchSize/);
    expect(existsSync(submitDir('late'))).toBe(false);
    expect(tree()).toEqual(before);
  }, SLOW);

  it('a good transform still writes its products (the checks above can see a directory)', async () => {
    const r = await tbps(['transform', files.good]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(submitDir('good'), 'generic_workflow', 'jobs.jsonl'))).toBe(true);
  }, SLOW);
});

describe('the workflow count the refusals are checked with', () => {
  it('is 0 after every refusal above, and sees a good submit', async () => {
    expect(await workflowsOnOurQueues()).toBe(0);
    const r = await tbps(['submit', files.good]);
    expect(r.code, r.stderr).toBe(0);
    let seen = 0;
    for (let i = 0; i < 50 && seen === 0; i++) {
      seen = await workflowsOnOurQueues();
      if (seen === 0) await new Promise((res) => setTimeout(res, 200));
    }
    expect(seen).toBe(1);
    for await (const w of client.workflow.list({ query: `TaskQueue = '${h.env.TBPS_TASK_QUEUE}'` })) await client.workflow.getHandle(w.workflowId).terminate('test done');
  }, SLOW);
});
