// `npm run bench:throughput -- --jobs N [--slots S] [--wms local|htcondor|slurm] [--cpu-prof DIR] [--keep]`: N independent no-op jobs (`true`) through the whole stack
// (Temporal dev server, orchestrator and executor workers, store), timed from submit to the run's end.
// Baseline in the same script: the same N processes spawned directly by Node with the same concurrency, measured
// right before and right after the tbps run (the machine may be shared: the ratio is against their mean).
// Also prints the CPU each part of the stack used per job (dev server, workers, the jobs, the CLI), in ms.
// Last line: wms=… jobs=… seconds=… jobs_per_s=… baseline_s=… ratio=… (the same keys for every --wms)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { writeQuantumGraph, type QuantumRecord } from '../core/qgraph/index.js';
import { chmodSync } from 'node:fs';
import { flag, startStack } from './lib/stack.js';
import { WMS_NAMES, type WmsName } from '../core/submit/wmsNames.js';
import { benchPrefix, ensureWmsAnswers } from './lib/wmsReady.js';
import { cpuPerJob, cpuTimes } from './lib/cpu.js';

const jobs = Number(flag('jobs', '5000'));
const slots = Number(flag('slots', '8'));
const wms = flag('wms', 'local');
// --cpu-prof DIR: the workers write V8 CPU profiles (.cpuprofile, open in Chrome DevTools) into DIR when they stop.
const cpuProfDir = flag('cpu-prof', '');
// --keep: leave the data directory (store with every attempt's ready/start/end times, worker logs) for a look.
const keep = process.argv.includes('--keep');
const profArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
if (!(WMS_NAMES as readonly string[]).includes(wms)) {
  console.error(`bench:throughput: option --wms: '${wms}' is not a workload system (known: ${WMS_NAMES.join(', ')})`);
  process.exit(2);
}
// htcondor: the personal pool of scripts/setup-htcondor.sh (or a site pool: TBPS_HTCONDOR_PREFIX='' with condor_* on PATH).
// slurm: the one-node cluster of scripts/setup-slurm.sh (or a site cluster: TBPS_SLURM_PREFIX='' with sbatch on PATH).
const wmsName = wms as WmsName;

/** Seconds for n bare spawns of `true`, `parallel` at a time; also the CPU (ms per spawn, Node's and the child's). */
async function baseline(n: number, parallel: number): Promise<{ seconds: number; cpuMs: number }> {
  const cpu0 = cpuTimes(process.pid);
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await new Promise<void>((res) => spawn('true', [], { stdio: 'ignore' }).on('close', () => res()));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuTimes(process.pid);
  return { seconds, cpuMs: ((cpu1.self - cpu0.self + cpu1.children - cpu0.children) * 1000) / n };
}

// The pool or cluster must answer before anything starts (a stopped one would leave the run waiting): started, or exit 2 now.
await ensureWmsAnswers('bench:throughput', wmsName);

const stack = await startStack('throughput');
try {
  if (wms === 'htcondor') chmodSync(stack.work, 0o755); // jobs run as the pool's submitting user (the data dir stays 0700)
  stack.startWorker('orchestrator', benchPrefix(wmsName), profArgs);
  stack.startWorker('executor', { TBPS_EXECUTOR_CPUS: String(slots), TBPS_EXECUTOR_SLOTS: String(slots * 2) }, profArgs);
  const graph = path.join(stack.home, 'noop.qgraph.jsonl');
  const records = (function* (): Generator<QuantumRecord> {
    for (let i = 0; i < jobs; i++) yield { id: `noop-${i}`, label: 'noop', dataId: { n: i }, parents: [] };
  })();
  await writeQuantumGraph(graph, { format: 'tbps-qgraph', version: 1, metadata: {}, tasks: [{ label: 'noop', dimensions: ['n'] }], quanta: jobs }, records);
  const source = wms === 'local' ? `qgraphFile: ${graph}` : `qgraphFile: ${graph}\nwmsServiceClass: ${wms}\nwmsPollSeconds: 2`;
  const before = await baseline(jobs, slots);
  const { seconds, cpuBefore, cpuAfter, idle } = await stack.timedNoopRun('bench_noop', source);
  const history = await stack.historyEvents();
  const after = await baseline(jobs, slots);
  const base = (before.seconds + after.seconds) / 2;
  console.log(`wms=${wms}`);
  console.log(`cpu_ms_per_job: ${cpuPerJob(cpuBefore, cpuAfter, jobs)} baseline=${((before.cpuMs + after.cpuMs) / 2).toFixed(2)}`);
  console.log(`cpu_ms_per_s_idle: ${cpuPerJob(idle.before, idle.after, idle.seconds)}`);
  console.log(`temporal: ${history.workflows} workflow executions, ${history.events} history events (${(history.events / jobs).toFixed(2)} per job)`);
  console.log(`baseline: ${jobs} direct spawns of 'true' with ${slots} in parallel: ${before.seconds.toFixed(2)} s before, ${after.seconds.toFixed(2)} s after (${(jobs / base).toFixed(0)}/s)`);
  console.log(`ratio: tbps end-to-end takes ${(seconds / base).toFixed(2)}x the bare process spawns`);
  console.log(`wms=${wms} jobs=${jobs} seconds=${seconds.toFixed(2)} jobs_per_s=${(jobs / seconds).toFixed(1)} baseline_s=${base.toFixed(2)} ratio=${(seconds / base).toFixed(2)}`);
} finally {
  await stack.stop(keep);
  if (keep) console.error(`[bench:throughput] kept ${stack.home} (store, worker logs) and ${stack.work}`);
}
