// A small synthetic run that exercises error classes and their actions on any workload system: one job fails its
// first attempt with "database is locked" and exit 1 (a `retry` class: retried although 1 is in retryUnlessExit,
// then succeeds); another exits 3 with "calibration missing" (a `fail` class: never retried although 3 is not in
// retryUnlessExit); its descendants are PRUNED.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { graphFromRecords, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph, type CompactQuantumGraph } from '../../core/qgraph/index.js';
import type { Store } from '../../store/index.js';
import { SHELL_INIT_AND_FINAL } from './runs.js';

export interface ErrorClassRun {
  dir: string;
  runId: string;
  config: string;
  graph: CompactQuantumGraph;
  flakyId: string;
  fatalId: string;
}

export async function writeErrorClassRun(dir: string, runId: string, extra: string[] = []): Promise<ErrorClassRun> {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const { header, records } = syntheticGraph(syntheticOptionsForQuanta(40));
  const graph = graphFromRecords(header, records);
  await writeQuantumGraph(path.join(dir, 'graph.jsonl'), header, records);
  const isr = [...records].filter((r) => r.label === 'isr');
  const flakyId = isr[0].id;
  const fatalId = isr[1].id;
  writeFileSync(
    path.join(dir, 'job.sh'),
    [
      'id="$1"',
      `if [ "$id" = "${flakyId}" ] && [ "$TBPS_ATTEMPT" = 1 ]; then echo "sqlite3.OperationalError: database is locked" >&2; exit 1; fi`,
      `if [ "$id" = "${fatalId}" ]; then echo "RuntimeError: calibration missing for $id" >&2; exit 3; fi`,
      'echo "ok $id"',
      'exit 0',
      '',
    ].join('\n'),
  );
  const config = path.join(dir, 'submit.yaml');
  writeFileSync(
    config,
    [
      `payloadName: ${runId}`,
      `outputRun: itest/${runId}`,
      `uniqProcName: ${runId}`,
      `submitPath: ${path.join(dir, 'submit')}`,
      `qgraphFile: ${path.join(dir, 'graph.jsonl')}`,
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {qgraphNodeId}"`,
      'requestMemory: 64',
      'numberOfRetries: 2',
      'errorClasses:',
      '  - {name: flaky_db, pattern: "database is locked", action: retry}',
      '  - {name: no_calib, pattern: "calibration missing", exitCodes: [3], action: fail}',
      ...SHELL_INIT_AND_FINAL,
      ...extra,
      '',
    ].join('\n'),
  );
  return { dir, runId, config, graph, flakyId, fatalId };
}

/** What every WMS must record for this run: the classes, the matched lines and the retry decisions. */
export async function expectErrorClassOutcome(r: ErrorClassRun, s: Store): Promise<void> {
  const jobs = (await s.listJobs(r.runId, {}, 0, 1000)).jobs;
  const spec = async (id: string) => {
    for (const j of jobs) if ((await s.getJobSpec(r.runId, j.name)).argv.includes(id)) return j.name;
    throw new Error(`no job runs quantum ${id}`);
  };
  const flaky = await s.attempts(r.runId, await spec(r.flakyId));
  expect(flaky.map((a) => [a.state, a.exitCode, a.errorClass, a.errorLine])).toEqual([
    ['READY', 1, 'flaky_db', 'sqlite3.OperationalError: database is locked'],
    ['SUCCEEDED', 0, null, null],
  ]);
  const fatal = await s.attempts(r.runId, await spec(r.fatalId));
  expect(fatal.map((a) => [a.state, a.exitCode, a.errorClass, a.errorLine])).toEqual([
    ['FAILED', 3, 'no_calib', `RuntimeError: calibration missing for ${r.fatalId}`],
  ]);
  const counts = await s.stateCounts(r.runId);
  expect(counts.FAILED).toBe(1);
  expect(counts.PRUNED).toBeGreaterThan(0);
  expect(counts.SUCCEEDED + counts.FAILED + counts.PRUNED).toBe(r.graph.size + 2);
}
