// The shape of a run's workflow as both tools wrote it, for the comparison's identity check: payload jobs per label,
// quanta per label, and job-to-job edges. Job names differ between the tools, and so do node ids after a rewrite to
// another output run (update-graph-run gives every quantum a new UUID), so a quantum is identified by its task label
// and data id, read from the graph file the job names (lsst/qgFile), a job by the smallest of its quanta (clusters are
// disjoint) and an edge by its two jobs.
// tbps: generic_workflow/jobs.jsonl of its submit directory. ctrl_bps: the HTCondor DAG written by `bps prepare`
// (JOB and PARENT ... CHILD lines) and each job's submit file (+bps_job_label, --qgraph-node-id in arguments).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readJobs } from '../../../core/workflow/index.js';
import { readPipeBaseGraph } from '../../../lsst/qgFile/index.js';

export interface WorkflowShape {
  jobsPerLabel: Record<string, number>;
  quantaPerLabel: Record<string, number>;
  /** Edges between payload jobs, as "parentKey>childKey", sorted. */
  edges: string[];
}

interface ShapeJob {
  name: string;
  label: string;
  nodeIds: string[];
  /** The graph file the job's command names (the word before --qgraph-node-id). */
  graphFile?: string;
}

function shapeJob(name: string, label: string, words: string[]): ShapeJob {
  const at = words.indexOf('--qgraph-node-id');
  if (at < 1 || at + 1 >= words.length) return { name, label, nodeIds: [] };
  return { name, label, nodeIds: words[at + 1].split(',').filter(Boolean), graphFile: words[at - 1] };
}

/** label + data id of every quantum of the graph files the jobs name. */
async function quantumKeys(jobs: ShapeJob[]): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const file of new Set(jobs.map((j) => j.graphFile).filter((f): f is string => f !== undefined))) {
    const graph = await readPipeBaseGraph(file);
    for (const q of graph.records) {
      const dataId = Object.keys(q.dataId).sort().map((k) => `${k}=${q.dataId[k]}`).join(',');
      keys.set(q.id, `${q.label}{${dataId}}`);
    }
  }
  return keys;
}

async function shapeFrom(jobs: ShapeJob[], parentsOf: Map<string, string[]>): Promise<WorkflowShape> {
  const quantumKey = await quantumKeys(jobs);
  const keyOf = new Map<string, string>();
  const jobsPerLabel: Record<string, number> = {};
  const quantaPerLabel: Record<string, number> = {};
  for (const job of jobs) {
    if (job.nodeIds.length === 0) continue; // pipetaskInit, finalJob
    const keys = job.nodeIds.map((id) => {
      const key = quantumKey.get(id);
      if (key === undefined) throw new Error(`job ${job.name} names quantum ${id}, which is not in ${job.graphFile}`);
      return key;
    });
    keyOf.set(job.name, keys.sort()[0]);
    jobsPerLabel[job.label] = (jobsPerLabel[job.label] ?? 0) + 1;
    quantaPerLabel[job.label] = (quantaPerLabel[job.label] ?? 0) + job.nodeIds.length;
  }
  const edges: string[] = [];
  for (const [child, parents] of parentsOf) {
    const childKey = keyOf.get(child);
    if (childKey === undefined) continue;
    for (const parent of parents) {
      const parentKey = keyOf.get(parent);
      if (parentKey !== undefined) edges.push(`${parentKey}>${childKey}`);
    }
  }
  edges.sort();
  return { jobsPerLabel, quantaPerLabel, edges };
}

/** tbps: the generic workflow in the submit directory. */
export async function tbpsShape(submitPath: string): Promise<WorkflowShape> {
  const file = path.join(submitPath, 'generic_workflow', 'jobs.jsonl');
  if (!existsSync(file)) throw new Error(`tbps wrote no generic workflow: ${file} is missing`);
  const jobs: ShapeJob[] = [];
  const parentsOf = new Map<string, string[]>();
  for await (const job of readJobs(file)) {
    jobs.push(job.kind === 'payload' ? shapeJob(job.name, job.label, job.argv) : { name: job.name, label: job.label, nodeIds: [] });
    parentsOf.set(job.name, job.parents);
  }
  return shapeFrom(jobs, parentsOf);
}

/** ctrl_bps: the HTCondor DAG and submit files `bps prepare` wrote in its submit directory. */
export async function bpsShape(submitPath: string): Promise<WorkflowShape> {
  const dags = readdirSync(submitPath).filter((f) => f.endsWith('.dag'));
  if (dags.length !== 1) throw new Error(`expected one .dag in ctrl_bps's submit directory ${submitPath}, found ${dags.length}`);
  const jobs: ShapeJob[] = [];
  const parentsOf = new Map<string, string[]>();
  for (const line of readFileSync(path.join(submitPath, dags[0]), 'utf8').split('\n')) {
    const job = /^JOB (\S+) "([^"]+)" DIR "([^"]+)"/.exec(line);
    if (job) {
      const sub = readFileSync(path.join(submitPath, job[3], job[2]), 'utf8');
      const label = /^\+bps_job_label = "([^"]*)"/m.exec(sub)?.[1] ?? '';
      const args = /^arguments=(.*)$/m.exec(sub)?.[1] ?? '';
      jobs.push(shapeJob(job[1], label, args.split(/\s+/)));
      continue;
    }
    const edge = /^PARENT (.+) CHILD (.+)$/.exec(line);
    if (edge) {
      const parents = edge[1].trim().split(/\s+/);
      for (const child of edge[2].trim().split(/\s+/)) parentsOf.set(child, [...(parentsOf.get(child) ?? []), ...parents]);
    }
  }
  return shapeFrom(jobs, parentsOf);
}

export function edgeDigest(shape: WorkflowShape): string {
  return createHash('sha256').update(shape.edges.join('\n')).digest('hex').slice(0, 12);
}

/** What differs between the two shapes (empty when they are the same). */
export function shapeDifferences(tbps: WorkflowShape, bps: WorkflowShape): string[] {
  const out: string[] = [];
  for (const [what, a, b] of [
    ['jobs', tbps.jobsPerLabel, bps.jobsPerLabel],
    ['quanta', tbps.quantaPerLabel, bps.quantaPerLabel],
  ] as const) {
    for (const label of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (a[label] !== b[label]) out.push(`${what} of ${label}: tbps ${a[label] ?? 0}, ctrl_bps ${b[label] ?? 0}`);
  }
  if (tbps.edges.length !== bps.edges.length || edgeDigest(tbps) !== edgeDigest(bps)) {
    const theirs = new Set(bps.edges);
    const ours = new Set(tbps.edges);
    const onlyTbps = tbps.edges.filter((e) => !theirs.has(e));
    const onlyBps = bps.edges.filter((e) => !ours.has(e));
    out.push(`edges: tbps ${tbps.edges.length}, ctrl_bps ${bps.edges.length}; only in tbps ${onlyTbps.length} (e.g. ${onlyTbps[0] ?? '-'}), only in ctrl_bps ${onlyBps.length} (e.g. ${onlyBps[0] ?? '-'})`);
  }
  return out;
}
