// temp microbenchmark: per-job store cost of the executor's hot path
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { openStore } from '../store/index.js';
const n = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'thru-store-'));
const store = await openStore(path.join(dir, 's.sqlite'));
await store.upsertRun({ runId: 'r', state: 'RUNNING' } as never);
const jobs = Array.from({ length: n }, (_, i) => ({ name: `noop_${i}`, kind: 'payload' as const, label: 'noop', batch: 0, quanta: 1, argv: ['true', `${i}`], parents: [], requestMemory: 64, requestCpus: 1, numberOfRetries: 5 }));
await store.insertJobs('r', jobs as never);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const j of jobs) {
  const spec = await store.getJobSpec('r', j.name);
  const job = await store.getJob('r', j.name);
  void spec; void job;
  const opened = await store.openAttempt('r', j.name, (number) => ({ host: 'h', memoryMb: 64, logPath: `/x/${j.name}.${number}.out`, readyAt: new Date().toISOString(), startedAt: new Date().toISOString() }), 'lost');
  await store.recordNumberedAttemptEnd('r', j.name, opened.number, { exitCode: 0, signal: null, peakRssMb: null, endedAt: new Date().toISOString(), state: 'SUCCEEDED' });
}
const c = process.cpuUsage(cpu0);
console.log(`store per job: wall=${((performance.now() - t0) / n).toFixed(3)} ms cpu=${((c.user + c.system) / 1000 / n).toFixed(3)} ms`);
