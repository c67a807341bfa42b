// The synthetic run with planted failures that every workload system must finish with the same report:
// 2,000+ shell jobs from the DRP-shaped synthetic graph; one quantum exits 1 (FAILED, descendants PRUNED), one is
// killed by SIGKILL on its first attempt (retried), one allocates 300 MB against a 200 MB request. The submit
// YAML names no workload system: the test picks it on the command line, so the config is the same for all.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { graphFromRecords, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph, type CompactQuantumGraph } from '../../core/qgraph/index.js';
import type { State } from '../../core/states.js';
import { readJobs, type JobSpec } from '../../core/workflow/index.js';
import { SHELL_INIT_AND_FINAL } from './runs.js';

export interface PlantedRun {
  dir: string;
  runId: string;
  config: string;
  graph: CompactQuantumGraph;
  failId: string;
  killId: string;
  oomId: string;
  /** Expected PRUNED jobs per label (the failed quantum's descendants). */
  expectedPruned: Map<string, number>;
  perLabel: Map<string, number>;
}

export interface PlantedReport {
  run: { state: State };
  labels: Array<{ label: string; counts: Record<State, number>; expected: number }>;
}

/** Writes graph, job script, planted-failure lists and submit YAML into `dir`. */
export async function writePlantedRun(dir: string, runId: string): Promise<PlantedRun> {
  mkdirSync(dir, { recursive: true });
  const { header, records } = syntheticGraph(syntheticOptionsForQuanta(2100));
  const graph = graphFromRecords(header, records);
  expect(graph.size).toBeGreaterThanOrEqual(2000);
  await writeQuantumGraph(path.join(dir, 'graph.jsonl'), header, records);

  const byLabel = (l: string) => [...Array(graph.size).keys()].filter((i) => graph.label(i) === l);
  const fail = byLabel('calibrate')[0];
  const failId = graph.id(fail);
  const killId = graph.id(byLabel('isr')[3]);
  const oomId = graph.id(byLabel('characterizeImage').at(-1)!);
  const pruned = new Set<number>();
  const stack = [...graph.children(fail)];
  while (stack.length) {
    const i = stack.pop()!;
    if (pruned.has(i)) continue;
    pruned.add(i);
    stack.push(...graph.children(i));
  }
  expect(pruned.size).toBeGreaterThan(3);
  expect(pruned.has(graph.indexOf(oomId)!)).toBe(false);
  const expectedPruned = new Map<string, number>();
  for (const i of pruned) expectedPruned.set(graph.label(i), (expectedPruned.get(graph.label(i)) ?? 0) + 1);
  const perLabel = new Map<string, number>();
  for (let i = 0; i < graph.size; i++) perLabel.set(graph.label(i), (perLabel.get(graph.label(i)) ?? 0) + 1);

  writeFileSync(path.join(dir, 'fail.txt'), `${failId}\n`);
  writeFileSync(path.join(dir, 'kill.txt'), `${killId}\n`);
  writeFileSync(path.join(dir, 'oom.txt'), `${oomId}\n`);
  writeFileSync(
    path.join(dir, 'job.sh'),
    [
      'id="$1"; d="$(dirname "$0")"',
      'echo "attempt $TBPS_ATTEMPT memory $TBPS_MEMORY_MB"',
      'if grep -qx "$id" "$d/fail.txt"; then echo "INFO starting $id"; echo "ValueError: planted failure in $id" >&2; exit 1; fi',
      'if grep -qx "$id" "$d/kill.txt" && [ "$TBPS_ATTEMPT" = 1 ]; then kill -9 $$; fi',
      `if grep -qx "$id" "$d/oom.txt"; then python3 -c "import time; b=b'x'*(300<<20); time.sleep(1.5)"; fi`,
      'exit 0',
    ].join('\n'),
  );
  const config = path.join(dir, 'submit.yaml');
  writeFileSync(
    config,
    [
      'payloadName: planted',
      `outputRun: itest/planted`,
      `uniqProcName: ${runId}`,
      `submitPath: ${path.join(dir, 'submit')}`,
      `qgraphFile: ${path.join(dir, 'graph.jsonl')}`,
      `runQuantumCommand: "sh ${path.join(dir, 'job.sh')} {qgraphNodeId}"`,
      'requestMemory: 200',
      'memoryMultiplier: 2',
      'numberOfRetries: 2',
      'jobHeartbeatTimeout: 15',
      ...SHELL_INIT_AND_FINAL,
      '',
    ].join('\n'),
  );
  return { dir, runId, config, graph, failId, killId, oomId, expectedPruned, perLabel };
}

/** The final report every workload system must give: FAILED, exact per-label counts, init and final SUCCEEDED. */
export function expectPlantedReport(p: PlantedRun, report: PlantedReport): void {
  expect(report.run.state).toBe('FAILED');
  const got = new Map(report.labels.map((l) => [l.label, l]));
  expect(got.get('pipetaskInit')!.counts.SUCCEEDED).toBe(1);
  expect(got.get('finalJob')!.counts.SUCCEEDED).toBe(1); // whenRun ALWAYS still merges what succeeded
  for (const [label, n] of p.perLabel) {
    const row = got.get(label)!;
    const failed = label === 'calibrate' ? 1 : 0;
    const prunedN = p.expectedPruned.get(label) ?? 0;
    expect({ label, ...row.counts, expected: row.expected }).toEqual({
      label,
      UNKNOWN: 0, MISFIT: 0, UNREADY: 0, READY: 0, PENDING: 0, RUNNING: 0, DELETED: 0, HELD: 0,
      SUCCEEDED: n - failed - prunedN,
      FAILED: failed,
      PRUNED: prunedN,
      expected: n,
    });
  }
}

/** Maps a quantum id to the name of the job that runs it (from the generic workflow in the submit directory). */
export async function jobNamesByQuantum(p: PlantedRun): Promise<(id: string) => string> {
  const jobs: JobSpec[] = [];
  for await (const j of readJobs(path.join(p.dir, 'submit', 'generic_workflow', 'jobs.jsonl'))) jobs.push(j);
  return (id: string) => jobs.find((j) => j.argv.includes(id))!.name;
}

export function totalPruned(p: PlantedRun): number {
  return [...p.expectedPruned.values()].reduce((a, b) => a + b, 0);
}
