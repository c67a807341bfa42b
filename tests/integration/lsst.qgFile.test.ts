// The direct reader of pipe_base `.qg` files (lsst/qgFile) against real graphs made by `pipetask qgraph`: its
// records (ids, labels, required data ids, parents, order) and task list must equal what pipe_base itself reads
// (lsst/export_qgraph.py opens the graph with PredictedQuantumGraph), for a small graph (plain zstd blocks) and a
// larger one (over 512 quanta: blocks compressed with a trained dictionary). Old `.qgraph` files go through pipe_base;
// files that are not graphs are bad input naming the file. LSST tier: needs the stack in .venv.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { readQuantumGraph } from '../../core/qgraph/index.js';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { exportPipeBaseGraph, readPipeBaseGraph, readPipeBaseHeader, readsDirectly } from '../../lsst/qgFile/index.js';
import { repoRoot } from '../../paths/index.js';

const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
// Long stack commands run asynchronously: a blocked test worker misses vitest's RPC deadlines.
const run = promisify(execFile);
const env = () => withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;
let work: string;

beforeAll(() => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  work = mkdtempSync(path.join(os.tmpdir(), 'tbps-qgfile-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function makeRepo(name: string, options: string[]): Promise<string> {
  const repo = path.join(work, name);
  await run(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, ...options], { env: env() });
  return repo;
}

async function makeGraph(repo: string, file: string, pipeline: string): Promise<string> {
  const out = path.join(work, file);
  await run(
    'pipetask',
    ['qgraph', '-b', repo, '-i', 'HSC/defaults', '-o', 'u/qg', '--output-run', 'u/qg/run', '-p', pipeline, '-d', "instrument='HSC'", '--save-qgraph', out],
    { env: env() },
  );
  return out;
}

/** What pipe_base reads from the graph, through lsst/export_qgraph.py: header and records. */
async function pipeBaseExport(qg: string): Promise<{ header: { tasks: unknown[]; quanta: number }; records: unknown[] }> {
  const out = `${qg}.pipe_base.jsonl`;
  await run(lsstPython(), [path.join(repoRoot, 'lsst', 'export_qgraph.py'), qg, '-o', out], { env: env() });
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  return { header: JSON.parse(lines[0]), records: lines.slice(1).map((l) => JSON.parse(l)) };
}

function hasCompressionDictionary(qg: string): boolean {
  const script = 'import sys, zipfile; print("compression_dict" in zipfile.ZipFile(sys.argv[1]).namelist())';
  return execFileSync(lsstPython(), ['-c', script, qg], { encoding: 'utf8' }).trim() === 'True';
}

async function expectSameAsPipeBase(qg: string) {
  const want = await pipeBaseExport(qg);
  expect(want.records.length).toBeGreaterThan(0);
  const got = await readPipeBaseGraph(qg, env());
  expect(got.header.tasks).toEqual(want.header.tasks);
  expect(got.header.quanta).toBe(want.header.quanta);
  const records = [...got.records];
  expect(records).toEqual(want.records);
  // parents are real edges: the mock pipeline's later tasks all consume earlier outputs
  expect(records.filter((r) => r.parents.length > 0).length).toBeGreaterThan(records.length / 2);
  return records.length;
}

describe('lsst/qgFile reads pipe_base .qg files', () => {
  it('reads a small graph (no compression dictionary) exactly as pipe_base does, and exports it for transform', async () => {
    const repo = await makeRepo('small', ['--visits', '903334,903986', '--detectors', '16,22']);
    const qg = await makeGraph(repo, 'small.qg', `${PIPE}#step1`);
    expect(hasCompressionDictionary(qg)).toBe(false);
    const n = await expectSameAsPipeBase(qg);
    expect(n).toBe(20);

    const out = path.join(work, 'small.qgraph.jsonl');
    expect(await exportPipeBaseGraph(qg, out, work, env())).toEqual({ quanta: 20, reader: 'qgFile' });
    const graph = await readQuantumGraph(out);
    expect(graph.size).toBe(20);
    expect(graph.labels()).toEqual(['isr', 'characterizeImage', 'calibrate', 'writeSourceTable', 'transformSourceTable']);
    expect(graph.header.metadata.outputRun).toBe('u/qg/run');
    expect(graph.header.metadata.pipeline).toBe(`${PIPE}#step1`);
    // core's readQuantumGraph reads the .qg itself through lsst/qgFile (what transform does): the same graph
    const direct = await readQuantumGraph(qg);
    expect(direct.size).toBe(20);
    expect(direct.header.tasks).toEqual(graph.header.tasks);
    for (let i = 0; i < direct.size; i++) {
      expect(direct.id(i)).toBe(graph.id(i));
      expect(direct.dataId(i)).toEqual(graph.dataId(i));
      expect([...direct.parents(i)]).toEqual([...graph.parents(i)]);
    }
    expect(await readsDirectly(qg, env())).toBe(true);
    expect(await readPipeBaseHeader(qg, env())).toEqual({
      version: 1,
      graphType: 'predicted',
      outputRun: 'u/qg/run',
      output: 'u/qg',
      inputs: ['HSC/raw/all', 'HSC/calib', 'refcats', 'skymaps'],
      quanta: 20,
    });

    // the old pickle format is loaded by pipe_base (export_qgraph.py) and gives the same graph
    const old = await makeGraph(repo, 'small.qgraph', `${PIPE}#step1`);
    const oldOut = path.join(work, 'old.qgraph.jsonl');
    expect(await exportPipeBaseGraph(old, oldOut, work, env())).toEqual({ quanta: -1, reader: 'pipe_base' });
    const oldGraph = await readQuantumGraph(oldOut);
    expect(oldGraph.size).toBe(20);
    expect(oldGraph.header.tasks).toEqual(graph.header.tasks);
    expect(await readsDirectly(old, env())).toBe(false);
  }, 300_000);

  it('reads a graph over 512 quanta (blocks compressed with a trained dictionary) exactly as pipe_base does', async () => {
    const repo = await makeRepo('scaled', ['--synthetic-visits', '2', '--synthetic-detectors', '2']);
    const qg = await makeGraph(repo, 'scaled.qg', PIPE);
    expect(hasCompressionDictionary(qg)).toBe(true);
    const n = await expectSameAsPipeBase(qg);
    expect(n).toBeGreaterThan(512);
  }, 300_000);

  it('refuses files that are not pipe_base graphs with one message naming the file', async () => {
    const notZip = path.join(work, 'text.qg');
    writeFileSync(notZip, 'this is not a graph\n');
    await expect(readPipeBaseGraph(notZip, env())).rejects.toThrow(BadInputError);
    await expect(readPipeBaseGraph(notZip, env())).rejects.toThrow(`${notZip}: not a pipe_base .qg archive`);
    const missing = path.join(work, 'missing.qg');
    await expect(readPipeBaseGraph(missing, env())).rejects.toThrow(`${missing}: quantum-graph file not found`);
    const emptyZip = path.join(work, 'empty.qg');
    execFileSync(lsstPython(), ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("x.txt", "x")', emptyZip]);
    await expect(readPipeBaseGraph(emptyZip, env())).rejects.toThrow(`${emptyZip}: no header.json.zst in the archive`);
    // an archive cut short (its directory is at the end) is not a zip any more
    const whole = readFileSync(emptyZip);
    const cut = path.join(work, 'cut.qg');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(readPipeBaseGraph(cut, env())).rejects.toThrow(`${cut}: not a pipe_base .qg archive`);
  });
});
