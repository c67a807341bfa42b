// A pipe_base graph given as qgraphFile runs as in BPS (LSST tier: the real stack in .venv): a step1 graph made by
// `pipetask qgraph` under another output run (u/other/run) is submitted with a different outputRun; tbps copies it
// into the submit directory rewritten with `pipetask update-graph-run`, every job names that copy, the run
// SUCCEEDS on the local executor, the outputs land in the new run (nothing in the graph's old run) and their counts
// per dataset type equal a plain `pipetask run`. A graph made for the output run is copied as is, an old-format
// .qgraph is converted, a failing updateQuantumGraph template fails the stage. Bad .qg input is refused in one line naming qgraphFile, exit 2,
// before anything is written, also when the LSST stack is missing.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobs } from '../../core/workflow/index.js';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { datasetCounts } from '../helpers/lsstDatasets.js';
import { runIdFrom, withStore } from '../helpers/runs.js';

const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
const DEMO_CONFIG = path.join(repoRoot, 'config', 'examples', 'demo_drp.yaml');
const SMALL = ['--visits', '903334,903986', '--detectors', '16,22'];
const QUERY = "instrument='HSC'";
const env = () => withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;

let h: Harness;

beforeAll(() => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  h = createHarness('givengraph');
  h.startOrchestrator();
  h.startExecutor({ TBPS_EXECUTOR_CPUS: '2' });
});
afterAll(async () => h?.stopAll());

// Child processes run asynchronously throughout: a test worker blocked in a synchronous call on a loaded machine
// misses vitest's RPC deadline ("Timeout calling onTaskUpdate").
const run = promisify(execFile);

async function makeRepo(name: string): Promise<string> {
  const repo = path.join(h.home, name);
  await run(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, ...SMALL], { env: env() });
  return repo;
}

/** The plain reference: a single-process `pipetask run` of step1 into its own repository (output run u/ref/run). */
async function plainRun(): Promise<string> {
  const ref = await makeRepo('ref');
  await run(
    'pipetask',
    ['run', '-b', ref, '-i', 'HSC/defaults', '-o', 'u/ref', '--output-run', 'u/ref/run', '-p', `${PIPE}#step1`, '-d', QUERY, '--register-dataset-types'],
    { env: env(), maxBuffer: 64 << 20 },
  );
  return ref;
}

async function collections(repo: string): Promise<string[]> {
  const { stdout } = await run('butler', ['query-collections', repo, '--chains', 'NO-CHILDREN'], { env: env() });
  return stdout.split('\n').slice(2).map((line) => line.trim().split(/\s+/)[0]).filter(Boolean);
}

async function graphHeader(file: string): Promise<{ format: string; outputRun: string; quanta: number }> {
  const { stdout } = await run(lsstPython(), [path.join(repoRoot, 'lsst', 'qgraph_header.py'), file], { env: env() });
  return JSON.parse(stdout) as { format: string; outputRun: string; quanta: number };
}

/** `pipetask qgraph` of step1 into `file` (.qg, or .qgraph for the old format) with the given output collections. */
async function makeGraph(repo: string, file: string, output: string, extra: string[] = []): Promise<void> {
  await run(
    'pipetask',
    ['qgraph', '-b', repo, '-i', 'HSC/defaults', '-o', output, '--output-run', `${output}/run`, '-p', `${PIPE}#step1`, '-d', QUERY, '--save-qgraph', file, ...extra],
    { env: env(), maxBuffer: 64 << 20 },
  );
}

/** The demo repository and its step1 graph made by `pipetask qgraph` under u/other/run (made once, never modified). */
let made: Promise<{ repo: string; given: string }> | undefined;
function repoAndGraph(): Promise<{ repo: string; given: string }> {
  made ??= (async () => {
    const repo = await makeRepo('repo');
    const given = path.join(h.home, 'other.qg');
    await makeGraph(repo, given, 'u/other', ['--qgraph-datastore-records']);
    return { repo, given };
  })();
  return made;
}

describe('a given pipe_base quantum graph', () => {
  it('runs from a copy rewritten to the submission output run, with the outputs of a plain run', async () => {
    const { repo, given } = await repoAndGraph();
    const givenBytes = readFileSync(given);
    const reference = plainRun(); // alongside the tbps run; awaited below
    reference.catch(() => undefined); // (its failure is reported there, not as an unhandled rejection meanwhile)

    const r = await h.tbpsAsync(['submit', DEMO_CONFIG, '-g', given, '-b', repo, '-o', 'u/given', '--output-run', 'u/given/run', '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    const runId = runIdFrom(r.stdout);
    const run = await withStore(h.home, (s) => s.getRun(runId));
    expect(run?.state).toBe('SUCCEEDED');
    const submitPath = run!.submitPath!;

    // The copy in the submit directory, rewritten (the given file untouched), is what every job names.
    const copy = path.join(submitPath, `${runId}.qg`);
    expect(existsSync(copy)).toBe(true);
    expect(readFileSync(given).equals(givenBytes)).toBe(true);
    const record = JSON.parse(readFileSync(path.join(submitPath, 'givenQgraph.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ given, copy, givenOutputRun: 'u/other/run', outputRun: 'u/given/run', rewritten: true });
    expect(record.rewriteCommand).toContain('update-graph-run');
    expect(await graphHeader(copy)).toMatchObject({ outputRun: 'u/given/run', quanta: 20 });
    const jobs = [];
    for await (const j of readJobs(path.join(submitPath, 'generic_workflow', 'jobs.jsonl'))) jobs.push(j);
    expect(jobs.map((j) => j.kind).sort()).toEqual(['final', 'init', 'payload', 'payload', 'payload', 'payload']);
    for (const j of jobs) {
      expect(j.argv, j.name).toContain(copy);
      expect(j.argv, j.name).not.toContain(given);
    }
    expect(jobs.find((j) => j.kind === 'init')?.argv).toContain('pre-exec-init-qbb');
    for (const j of jobs.filter((job) => job.kind === 'payload')) expect(j.argv).toContain('run-qbb');

    // The outputs are in the new run, none in the graph's old run, and they equal a plain pipetask run's.
    const names = await collections(repo);
    expect(names).toContain('u/given/run');
    expect(names).not.toContain('u/other/run');
    const ref = await reference;
    const got = datasetCounts(repo, 'u/given/run');
    const want = datasetCounts(ref, 'u/ref/run');
    for (const t of ['calexp', 'src', 'sourceTable']) expect(got[t], t).toBe(4);
    expect(Object.keys(want).length).toBeGreaterThan(10);
    expect(got).toEqual(want);
  }, 900_000);

  it('copies a graph already made for the output run byte for byte, converts an old-format .qgraph to a .qg, and runs the updateQuantumGraph template (tbps acquire)', async () => {
    const { repo, given } = await repoAndGraph();
    const same = await h.tbpsAsync(['acquire', DEMO_CONFIG, '-g', given, '-b', repo, '--output-run', 'u/other/run']);
    expect(same.code, same.stderr).toBe(0);
    const sameDir = path.join(h.home, 'submit', 'u', 'other', 'run');
    expect(readFileSync(path.join(sameDir, 'u_other_run.qg')).equals(readFileSync(given))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(sameDir, 'givenQgraph.json'), 'utf8'))).toMatchObject({ givenOutputRun: 'u/other/run', outputRun: 'u/other/run', rewritten: false });
    // transform reads the copy itself (lsst/qgFile): no converted tbps-format file is written next to it.
    expect(readdirSync(sameDir).filter((name) => name.endsWith('.qgraph.jsonl'))).toEqual([]);
    expect(await graphHeader(path.join(sameDir, 'u_other_run.qg'))).toMatchObject({ outputRun: 'u/other/run', quanta: 20 });

    const old = path.join(h.home, 'old.qgraph');
    await makeGraph(repo, old, 'u/old');
    const converted = await h.tbpsAsync(['acquire', DEMO_CONFIG, '-g', old, '-b', repo, '--output-run', 'u/old/run']);
    expect(converted.code, converted.stderr).toBe(0);
    const copy = path.join(h.home, 'submit', 'u', 'old', 'run', 'u_old_run.qg');
    expect(readFileSync(copy).subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(await graphHeader(copy)).toMatchObject({ format: 'qg', outputRun: 'u/old/run', quanta: 20 });

    // The rewrite is the updateQuantumGraph template: a failing one fails the stage with its root cause and log.
    const failing = path.join(h.home, 'failing-update.yaml');
    writeFileSync(failing, `includeConfigs: [${DEMO_CONFIG}]\nupdateQuantumGraph: "sh -c 'echo RewriteError: refused {outputRun} >&2; exit 3'"\n`);
    const refused = await h.tbpsAsync(['acquire', failing, '-g', given, '-b', repo, '--output-run', 'u/fail/run']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("rewriting the given quantum graph to output run 'u/fail/run' failed (exit 3): RewriteError: refused u/fail/run");
    const failDir = path.join(h.home, 'submit', 'u', 'fail', 'run');
    expect(readFileSync(path.join(failDir, 'quantumGraphUpdate.out'), 'utf8')).toContain('RewriteError: refused u/fail/run');
    expect(readdirSync(failDir).filter((name) => name.endsWith('.qg'))).toEqual([]);
  }, 600_000);

  it('refuses a .qg that is not a readable graph, or given without the LSST stack, in one line naming qgraphFile, writing nothing', async () => {
    const { repo, given: real } = await repoAndGraph();
    const bytes = readFileSync(real);
    const text = path.join(h.home, 'text.qg');
    writeFileSync(text, 'not a graph\n');
    const truncated = path.join(h.home, 'truncated.qg');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    // A well-formed archive whose header member is damaged (its CRC no longer matches): only the stack can tell.
    const damaged = path.join(h.home, 'damaged.qg');
    const broken = Buffer.from(bytes);
    const headerData = 30 + broken.readUInt16LE(26) + broken.readUInt16LE(28);
    broken.fill(0, headerData, headerData + 16);
    writeFileSync(damaged, broken);

    const cases: Array<{ graph: string; says: RegExp; env?: NodeJS.ProcessEnv }> = [
      { graph: path.join(h.home, 'missing.qg'), says: /missing\.qg' does not exist/ },
      { graph: text, says: /text\.qg' is not a pipe_base quantum graph/ },
      { graph: truncated, says: /truncated\.qg' is a damaged or truncated zip archive/ },
      { graph: damaged, says: /damaged\.qg: not a readable pipe_base quantum graph \(BadZipFile: Bad CRC-32 for file 'header\.json\.zst'\)/ },
      { graph: real, says: /other\.qg' is a pipe_base quantum graph, and reading it needs the LSST stack.*run 'npm run setup'/, env: { TBPS_VENV: path.join(h.home, 'no-venv') } },
    ];
    for (const [i, c] of cases.entries()) {
      const outputRun = `u/bad/${i}`;
      const r = await h.tbpsAsync(['submit', DEMO_CONFIG, '-g', c.graph, '-b', repo, '--output-run', outputRun], { env: c.env });
      expect(r.code, `${c.graph}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^tbps: error: .*key 'qgraphFile': /);
      expect(lines[0]).toMatch(c.says);
      expect(existsSync(path.join(h.home, 'submit', outputRun)), outputRun).toBe(false);
    }
  }, 600_000);
});
