// The scaled demo graph of the ctrl_bps comparison: a demo repository with synthetic visits and detectors
// (lsst/make_demo_repo.py --synthetic-visits/--synthetic-detectors) and the graph of the whole mock DRP pipeline
// made by `pipetask qgraph` from it, both cached under <work>/q<N>/ so that re-runs with the same --quanta are quick.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { lsstPython, venvDir, withLsstPath } from '../../../lsst/env.js';
import { repoRoot } from '../../../paths/index.js';

const run = promisify(execFile);

export const PIPELINE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
export const INPUT_COLLECTION = 'HSC/defaults';
export const DATA_QUERY = "instrument='HSC'";
/** The collections the graph is made for; mode (b) submits it under another output run. */
export const GRAPH_OUTPUT = 'u/bench';
export const GRAPH_OUTPUT_RUN = 'u/bench/run';

export interface ScaledGraph {
  repo: string;
  graph: string;
  quanta: number;
  syntheticVisits: number;
  syntheticDetectors: number;
}

// ci_hsc records: 11 visits with 3 detectors each, real detector ids up to 100 (HSC allows ids below 200).
const REAL_VISITS = 11;
const REAL_DETECTORS_PER_VISIT = 3;
const MAX_SYNTHETIC_DETECTORS = 99;
const DETECTORS_PER_VISIT_AT_SCALE = 90;
// Quanta of mock_drp.yaml: 5 per visit-detector (step1), 2 per visit (step2), about 7.4 makeWarp per visit and 99
// coadd-side quanta over the ci_hsc tract (step3).
const perVisit = (detectors: number) => 5 * detectors + 2 + 7.4;
const FIXED = 99;

/** Synthetic visits and detectors for about `quanta` quanta (at least the plain demo). */
export function scaleFor(quanta: number): { syntheticVisits: number; syntheticDetectors: number } {
  const widest = REAL_DETECTORS_PER_VISIT + MAX_SYNTHETIC_DETECTORS;
  if (quanta <= FIXED + REAL_VISITS * perVisit(widest)) {
    const detectors = Math.max(REAL_DETECTORS_PER_VISIT, Math.ceil(((quanta - FIXED) / REAL_VISITS - 9.4) / 5));
    return { syntheticVisits: 0, syntheticDetectors: detectors - REAL_DETECTORS_PER_VISIT };
  }
  const visits = Math.ceil((quanta - FIXED) / perVisit(DETECTORS_PER_VISIT_AT_SCALE));
  return { syntheticVisits: visits - REAL_VISITS, syntheticDetectors: DETECTORS_PER_VISIT_AT_SCALE - REAL_DETECTORS_PER_VISIT };
}

/** Builds (or reuses) the repository and graph for `quanta` under `workDir`. */
export async function scaledGraph(quanta: number, workDir: string, say: (line: string) => void): Promise<ScaledGraph> {
  const dir = path.join(workDir, `q${quanta}`);
  const done = path.join(dir, 'graph.json');
  if (existsSync(done)) {
    const cached = JSON.parse(readFileSync(done, 'utf8')) as ScaledGraph;
    if (existsSync(cached.graph) && existsSync(cached.repo)) {
      say(`using the cached repository and graph in ${dir} (${cached.quanta} quanta)`);
      return cached;
    }
  }
  if (!existsSync(lsstPython())) throw new Error(`the LSST stack is missing (${venvDir()}); run 'npm run setup'`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const scale = scaleFor(quanta);
  const repo = path.join(dir, 'repo');
  const env = withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;
  let t = performance.now();
  say(`building the demo repository with ${scale.syntheticVisits} synthetic visits and ${scale.syntheticDetectors} synthetic detectors (minutes at 100k)`);
  await run(lsstPython(), [path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, '--synthetic-visits', String(scale.syntheticVisits), '--synthetic-detectors', String(scale.syntheticDetectors)], { env, maxBuffer: 1 << 26 });
  say(`repository built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const graph = path.join(dir, 'graph.qg');
  t = performance.now();
  say('making the graph with pipetask qgraph (about 10 minutes at 100k on 2 cores)');
  const qgraph = await run(
    path.join(venvDir(), 'bin', 'pipetask'),
    ['qgraph', '-b', repo, '-i', INPUT_COLLECTION, '-o', GRAPH_OUTPUT, '--output-run', GRAPH_OUTPUT_RUN, '-p', PIPELINE, '-d', DATA_QUERY, '--save-qgraph', graph, '--qgraph-datastore-records'],
    { env, maxBuffer: 1 << 26 },
  );
  const match = /QuantumGraph contains (\d+) quanta/.exec(qgraph.stdout + qgraph.stderr);
  if (!match) throw new Error(`pipetask qgraph did not say how many quanta it made; its output ends:\n${(qgraph.stdout + qgraph.stderr).slice(-2000)}`);
  say(`graph made in ${((performance.now() - t) / 1000).toFixed(0)} s: ${match[1]} quanta`);
  const result: ScaledGraph = { repo, graph, quanta: Number(match[1]), ...scale };
  writeFileSync(done, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
