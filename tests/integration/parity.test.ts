// BPS parity: on the same quantum graph, tbps makes the jobs ctrl_bps makes. The graph is the demo's step1+step2 made
// by `pipetask qgraph` on the LSST demo repository; ctrl_bps (lsst-ctrl-bps from PyPI in .venv-bps, provisioned by
// scripts/setup-bps-bench.sh) runs `bps transform` on it, which copies it and rewrites it to the run's output run
// (new node ids); tbps then transforms that very graph (exported to its format). Compared for single-quantum, per-
// detector and per-visit clustering: job names (node id first, trailing `_` kept), each job's label and quanta, the
// job-to-job edges (pipetaskInit included), the final job (aggregate-graph) and the executables, which both take from
// $CTRL_MPEXEC_DIR/bin and $DAF_BUTLER_DIR/bin.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../core/workflow/index.js';
import { EXPORT_QGRAPH_SCRIPT, hasLsstStack, lsstPython, venvDir, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../paths/index.js';
import { createHarness, type Harness } from '../helpers/harness.js';

const BPS_VENV = path.join(repoRoot, '.venv-bps');
const BPS = path.join(BPS_VENV, 'bin', 'bps');
const READER = path.join(repoRoot, 'tests', 'parity', 'read_bps_workflow.py');
const PIPE = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
const OUTPUT = 'u/parity/s12';
const RUN = `${OUTPUT}/run`;
const STEP1 = 'isr, characterizeImage, calibrate, writeSourceTable, transformSourceTable';
const DIMENSION = 'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering';

/** The clustering part of the config, the same YAML for both (included by each side's submit YAML). */
const CASES: Record<string, string> = {
  single: 'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.single_quantum_clustering\n',
  perDetector: `${DIMENSION}\ncluster:\n  step1_detector:\n    pipetasks: ${STEP1}\n    dimensions: visit, detector\n    equalDimensions: visit:exposure\n`,
  perVisit: `${DIMENSION}\ncluster:\n  step1_visit:\n    pipetasks: ${STEP1}\n    dimensions: visit\n    equalDimensions: visit:exposure\n`,
};

interface BpsWorkflow {
  jobs: Array<{ name: string; label: string; quanta: Record<string, number>; nodeIds: string[]; executable: string | null }>;
  edges: Array<[string, string]>;
  final: { name: string; executable: string; script: string } | null;
  qgraphFile: string;
}

let h: Harness;
let work: string;
let repo: string;
let graph: string;

const lsstEnv = () => withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;
/** ctrl_bps's defaults name ${CTRL_MPEXEC_DIR}/bin/pipetask and ${DAF_BUTLER_DIR}/bin/butler: the peer venv's. */
const stackEnv = { CTRL_MPEXEC_DIR: BPS_VENV, DAF_BUTLER_DIR: BPS_VENV };

/** Runs a command without blocking the test worker (a blocked worker misses vitest's own calls); its stdout. */
function run(argv: string[], env: NodeJS.ProcessEnv, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${what} failed (exit ${code}): ${argv.join(' ')}\n${(stderr || stdout).slice(-3000)}`));
    });
  });
}

beforeAll(async () => {
  if (!hasLsstStack())
    throw new Error(`LSST stack missing: no pipetask in ${venvDir()}/bin. Provision it with 'npm run setup' (installs lsst-ctrl-mpexec into .venv).`);
  if (!existsSync(BPS))
    throw new Error(`ctrl_bps missing: no ${BPS}. Provision it with 'bash scripts/setup-bps-bench.sh' (lsst-ctrl-bps from PyPI into .venv-bps).`);
  h = createHarness('parity');
  work = path.join(h.home, 'work');
  mkdirSync(work);
  repo = path.join(work, 'repo');
  await run([lsstPython(), path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, '--visits', '903334,903986', '--detectors', '16,22'], lsstEnv(), 'make_demo_repo.py');
  graph = path.join(work, 's12.qg');
  await run(
    ['pipetask', 'qgraph', '-b', repo, '-i', 'HSC/defaults', '-o', OUTPUT, '--output-run', RUN, '-p', `${PIPE}#step1,step2`, '-d', "instrument='HSC'", '--save-qgraph', graph, '--qgraph-datastore-records'],
    lsstEnv(),
    'pipetask qgraph',
  );
}, 300_000);

/** The payload part both submit YAMLs share; each side adds where its submit directory goes. */
function payload(clustering: string): string {
  return [
    `includeConfigs: [${clustering}]`,
    `pipelineYaml: "${PIPE}#step1,step2"`,
    'payload:',
    '  payloadName: parity',
    `  butlerConfig: ${repo}`,
    '  inCollection: HSC/defaults',
    `  output: ${OUTPUT}`,
    `  outputRun: ${RUN}`,
    `  dataQuery: "instrument='HSC'"`,
    '',
  ].join('\n');
}

/** `bps transform` of the graph with this clustering, and its generic workflow. */
async function bpsTransform(name: string, clustering: string): Promise<BpsWorkflow> {
  const submit = path.join(work, 'bps', name);
  const config = path.join(work, `bps-${name}.yaml`);
  writeFileSync(config, `${payload(clustering)}qgraphFile: ${graph}\nsubmitPath: ${submit}\nsaveGenericWorkflow: true\nwmsServiceClass: lsst.ctrl.bps.htcondor.HTCondorService\n`);
  const env = { ...process.env, ...stackEnv, PATH: `${path.join(BPS_VENV, 'bin')}:${process.env.PATH}` };
  await run([BPS, 'transform', config], env, 'bps transform');
  return JSON.parse(await run([path.join(BPS_VENV, 'bin', 'python'), READER, submit], env, 'reading the ctrl_bps generic workflow')) as BpsWorkflow;
}

/** `tbps transform` of the graph ctrl_bps rewrote (exported to the tbps format), with the same clustering. */
async function tbpsTransform(name: string, clustering: string, bpsGraph: string): Promise<JobSpec[]> {
  const exported = path.join(work, `${name}.qgraph.jsonl`);
  await run([lsstPython(), EXPORT_QGRAPH_SCRIPT, bpsGraph, '-o', exported], lsstEnv(), 'export_qgraph.py');
  const submit = path.join(work, 'tbps', name);
  const config = path.join(work, `tbps-${name}.yaml`);
  writeFileSync(config, `${payload(clustering)}submitPath: ${submit}\n`);
  const r = await h.tbpsAsync(['transform', config, '-g', exported], { env: stackEnv });
  expect(r.stderr, r.stdout).toBe('');
  expect(r.code).toBe(0);
  return readFileSync(path.join(submit, 'generic_workflow', 'jobs.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JobSpec);
}

function nodeIdsOf(job: JobSpec): string[] {
  const k = job.argv.indexOf('--qgraph-node-id');
  return k < 0 ? [] : job.argv[k + 1].split(',');
}

describe('BPS parity with ctrl_bps on the same graph', () => {
  for (const [name, clusterYaml] of Object.entries(CASES)) {
    it(`makes the same jobs and dependencies as ctrl_bps: ${name}`, async () => {
      const clustering = path.join(work, `cluster-${name}.yaml`);
      writeFileSync(clustering, clusterYaml);
      const bps = await bpsTransform(name, clustering);
      const ours = await tbpsTransform(name, clustering, bps.qgraphFile);

      // Jobs by name: the same names (pipetaskInit and the payload jobs; the final job apart), labels and quanta.
      const theirs = new Map(bps.jobs.map((j) => [j.name, j]));
      const mine = new Map(ours.filter((j) => j.kind !== 'final').map((j) => [j.name, j]));
      expect(theirs.size).toBeGreaterThanOrEqual(name === 'single' ? 25 : 5);
      expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
      for (const [jobName, b] of theirs) {
        const t = mine.get(jobName)!;
        expect(t.label, jobName).toBe(b.label);
        expect(nodeIdsOf(t).sort(), jobName).toEqual([...b.nodeIds].sort());
        if (t.kind === 'payload') expect(t.quanta, jobName).toBe(Object.values(b.quanta).reduce((a, n) => a + n, 0));
      }

      // Job-to-job dependencies, pipetaskInit -> first jobs included.
      const theirEdges = bps.edges.map(([p, c]) => `${p} -> ${c}`).sort();
      const myEdges = ours.flatMap((j) => j.parents.map((p) => `${p} -> ${j.name}`)).sort();
      expect(theirEdges.length).toBeGreaterThan(theirs.size / 2);
      expect(myEdges).toEqual(theirEdges);

      // Single quanta are named <node id>_<label>_<data id>: per-visit tasks keep the trailing '_' (no detector).
      const visitOnly = ours.filter((j) => j.label === 'consolidateVisitSummary');
      expect(visitOnly).toHaveLength(2);
      for (const j of visitOnly) expect(j.name).toBe(`${nodeIdsOf(j)[0]}_consolidateVisitSummary_${j.dataId?.visit}_`);

      // The final job: aggregate-graph through ${DAF_BUTLER_DIR}/bin/butler on both sides.
      const final = ours.find((j) => j.kind === 'final')!;
      expect(bps.final?.script).toContain('${DAF_BUTLER_DIR}/bin/butler');
      expect(bps.final?.script).toMatch(/ aggregate-graph /);
      expect(final.argv.slice(0, 4)).toEqual([path.join(BPS_VENV, 'bin', 'butler'), '--long-log', '--log-level=VERBOSE', 'aggregate-graph']);
      // Payload executables: ${CTRL_MPEXEC_DIR}/bin/pipetask (ctrl_bps keeps the variable until the job runs).
      const payloadJobs = bps.jobs.filter((j) => j.label !== 'pipetaskInit');
      expect(payloadJobs.length).toBeGreaterThan(0);
      for (const b of payloadJobs) {
        expect(b.executable).toBe('<ENV:CTRL_MPEXEC_DIR>/bin/pipetask');
        expect(mine.get(b.name)!.argv[0]).toBe(path.join(BPS_VENV, 'bin', 'pipetask'));
      }
    }, 300_000);
  }
});
