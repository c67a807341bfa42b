// The LSST mode of the soak: the demo campaign (mock DRP pipeline, real pipetask and butler, step1 and step2 in
// two groups of visits, step3 per tract) on a fresh demo repository. A plain run of the same campaign without
// chaos comes first: it gives the job count (to place the chaos points) and the reference outputs. After the
// chaos run, no dataset may be stored more often than in the plain run (same dataset type and data id in more RUN
// collections), and its output collection must hold the same datasets per type.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../paths/index.js';
import type { Cluster } from './cluster.js';
import type { SoakWorkload } from './run.js';

const PYTHON = path.join(repoRoot, '.venv', 'bin', 'python');
const VISITS = '[903334, 903336, 903338, 903342, 903344, 903346, 903986, 903988, 903990, 904010, 904014]';

interface Outputs {
  counts: Record<string, number>;
  runs: string[];
  /** "datasetType dataId" -> how many RUN collections under the output prefix hold it (only those above 1). */
  repeated: Record<string, number>;
}

function writeSpec(file: string, name: string, repo: string, heartbeatTimeout?: number): void {
  const overrides = `{butlerConfig: "${repo}"${heartbeatTimeout !== undefined ? `, jobHeartbeatTimeout: ${heartbeatTimeout}` : ''}}`;
  const pipeline = path.join(repoRoot, 'lsst', 'pipelines', 'mock_drp.yaml');
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `baseConfig: ${path.join(repoRoot, 'config', 'examples', 'demo_drp.yaml')}`,
      'inCollection: HSC/defaults',
      `output: u/soak/${name}`,
      'concurrency: 2',
      'failurePolicy: {onFailure: pause, maxFailedGroups: 0}',
      'steps:',
      '  - name: step1',
      `    pipelineYaml: "${pipeline}#step1"`,
      '    dataQuery: "instrument=\'HSC\'"',
      `    overrides: ${overrides}`,
      `    split: {dimension: visit, values: ${VISITS}, groupSize: 6}`,
      '  - name: step2',
      `    pipelineYaml: "${pipeline}#step2"`,
      '    dataQuery: "instrument=\'HSC\'"',
      `    overrides: ${overrides}`,
      `    split: {dimension: visit, values: ${VISITS}, groupSize: 6}`,
      '  - name: step3',
      `    pipelineYaml: "${pipeline}#step3"`,
      '    dataQuery: "instrument=\'HSC\' AND skymap=\'discrete/ci_hsc\'"',
      `    overrides: ${overrides}`,
      '    split: {dimension: tract, values: [0]}',
      '',
    ].join('\n'),
  );
}

function python(args: string[], what: string): string {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${(r.stderr || r.stdout).split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
}

function outputs(repo: string, name: string): Outputs {
  const out = python([path.join(repoRoot, 'bench', 'lib', 'soak', 'lsst_outputs.py'), repo, `u/soak/${name}/step3`, `u/soak/${name}`], `outputs of ${name}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Outputs;
}

export function lsstWorkload(say: (line: string) => void = () => {}, heartbeatTimeout?: number) {
  return async (cluster: Cluster): Promise<SoakWorkload> => {
    const repo = path.join(cluster.home, 'repo');
    say(`building the demo repository ${repo}`);
    python([path.join(repoRoot, 'lsst', 'make_demo_repo.py'), repo, '--clobber'], 'make_demo_repo.py');
    const plainSpec = path.join(cluster.home, 'plain.yaml');
    writeSpec(plainSpec, 'soak_plain', repo, heartbeatTimeout);
    say('plain run of the demo campaign (no chaos) for the reference outputs and job count');
    const plain = cluster.tbps(['campaign', 'start', plainSpec, '--wait'], 3_600_000);
    if (plain.code !== 0) throw new Error(`the plain LSST campaign did not succeed (exit ${plain.code}): ${plain.stderr || plain.stdout.split('\n').slice(-10).join(' | ')}`);
    const reference = outputs(repo, 'soak_plain');
    const specFile = path.join(cluster.home, 'campaign.yaml');
    writeSpec(specFile, 'soak', repo, heartbeatTimeout);
    let plainJobs: number | undefined;
    return {
      campaign: 'soak',
      specFile,
      async expectedJobs(store) {
        if (plainJobs === undefined) {
          plainJobs = 0;
          for (const runId of await store.campaignRunIds('soak_plain')) plainJobs += (await store.getRun(runId))?.jobs ?? 0;
        }
        return plainJobs;
      },
      async verify() {
        const got = outputs(repo, 'soak');
        const same = JSON.stringify(got.counts) === JSON.stringify(reference.counts) && Object.keys(got.counts).length > 0;
        if (!same) say(`outputs differ: plain ${JSON.stringify(reference.counts)} soak ${JSON.stringify(got.counts)}`);
        // A dataset stored more often than in the plain run (init-outputs are once per group run in both).
        const extra = Object.entries(got.repeated).filter(([key, n]) => n > (reference.repeated[key] ?? 1));
        for (const [key, n] of extra.slice(0, 5)) say(`dataset stored ${n} times (plain run: ${reference.repeated[key] ?? 1}): ${key}`);
        return {
          checks: { no_duplicate_datasets: extra.length === 0, outputs_equal_plain_run: same },
          figures: { datasets: Object.values(got.counts).reduce((a, b) => a + b, 0), datasets_plain: Object.values(reference.counts).reduce((a, b) => a + b, 0), duplicate_datasets: extra.length },
        };
      },
    };
  };
}
