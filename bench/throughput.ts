// `npm run bench:throughput -- --jobs N [--slots S] [--wms local|htcondor|slurm]`: N independent no-op jobs (`true`) through the whole stack
// (Temporal dev server, orchestrator and executor workers, store), timed from submit to the run's end.
// Baseline in the same script: the same N processes spawned directly by Node with the same concurrency.
// Last line: jobs=… seconds=… jobs_per_s=…
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { writeQuantumGraph, type QuantumRecord } from '../core/qgraph/index.js';
import { chmodSync } from 'node:fs';
import { repoRoot } from '../paths/index.js';
import { flag, startStack } from './lib/stack.js';
import { WMS_NAMES } from '../core/submit/wmsNames.js';

const jobs = Number(flag('jobs', '5000'));
const slots = Number(flag('slots', '8'));
const wms = flag('wms', 'local');
if (!(WMS_NAMES as readonly string[]).includes(wms)) {
  console.error(`bench:throughput: option --wms: '${wms}' is not a workload system (known: ${WMS_NAMES.join(', ')})`);
  process.exit(2);
}
// htcondor: the personal pool of scripts/setup-htcondor.sh (or a site pool: TBPS_HTCONDOR_PREFIX='' with condor_* on PATH).
// slurm: the one-node cluster of scripts/setup-slurm.sh (or a site cluster: TBPS_SLURM_PREFIX='' with sbatch on PATH).
const prefixes: Record<string, Record<string, string>> = {
  htcondor: { TBPS_HTCONDOR_PREFIX: process.env.TBPS_HTCONDOR_PREFIX ?? `bash ${path.join(repoRoot, 'scripts', 'htcondor.sh')} exec` },
  slurm: { TBPS_SLURM_PREFIX: process.env.TBPS_SLURM_PREFIX ?? `bash ${path.join(repoRoot, 'scripts', 'slurm.sh')} exec` },
};

async function baseline(n: number, parallel: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await new Promise<void>((res) => spawn('true', [], { stdio: 'ignore' }).on('close', () => res()));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return (performance.now() - t0) / 1000;
}

// The test cluster must be up before anything starts (a stopped controller would leave the run waiting).
if (wms === 'slurm' && process.env.TBPS_SLURM_PREFIX === undefined) {
  const up = spawnSync('bash', [path.join(repoRoot, 'scripts', 'slurm.sh'), 'start'], { encoding: 'utf8' });
  if (up.status !== 0) {
    console.error(`bench:throughput: the Slurm test cluster does not start (${up.stderr.trim()}); run 'bash scripts/setup-slurm.sh' (as root)`);
    process.exit(2);
  }
}

const stack = await startStack('throughput');
try {
  if (wms === 'htcondor') chmodSync(stack.work, 0o755); // jobs run as the pool's submitting user (the data dir stays 0700)
  stack.startWorker('orchestrator', prefixes[wms] ?? {});
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: String(slots), TBPS_EXECUTOR_SLOTS: String(slots * 2) });
  const graph = path.join(stack.home, 'noop.qgraph.jsonl');
  const records = (function* (): Generator<QuantumRecord> {
    for (let i = 0; i < jobs; i++) yield { id: `noop-${i}`, label: 'noop', dataId: { n: i }, parents: [] };
  })();
  await writeQuantumGraph(graph, { format: 'tbps-qgraph', version: 1, metadata: {}, tasks: [{ label: 'noop', dimensions: ['n'] }], quanta: jobs }, records);
  const source = wms === 'local' ? `qgraphFile: ${graph}` : `qgraphFile: ${graph}\nwmsServiceClass: ${wms}\nwmsPollSeconds: 2`;
  const { seconds } = await stack.timedNoopRun('bench_noop', source);
  console.log(`wms=${wms}`);
  const base = await baseline(jobs, slots);
  console.log(`baseline: ${jobs} direct spawns of 'true' with ${slots} in parallel: ${base.toFixed(2)} s (${(jobs / base).toFixed(0)}/s)`);
  console.log(`ratio: tbps end-to-end takes ${(seconds / base).toFixed(1)}x the bare process spawns`);
  console.log(`jobs=${jobs} seconds=${seconds.toFixed(2)} jobs_per_s=${(jobs / seconds).toFixed(1)}`);
} finally {
  await stack.stop();
}
