// The files of one Slurm unit (a job batch, or pipetaskInit/finalJob) in the submit directory:
//   slurm/<unit>/current            name of the current submission's directory (try1, try2, ...: one per prepare)
//   slurm/<unit>/tryN/state.json    every job of the submission: its place in the DAG, its settings for memory and
//                                   retries, its current attempt and Slurm id, where it stands
//   slurm/<unit>/tryN/submitted     "index id" per sbatch, appended as they happen (a retried submit skips those)
//   slurm/<unit>/tryN/jobs/*.sh     batch scripts; status/<job>.<attempt> what GNU time wrote
//   slurm/<unit>/tryN/wms_id        written once every job is submitted
//   slurm/<unit>/tryN/cancelled     written by cancel before scancel
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileUnder } from '../../core/files/confined.js';

/** Where a job stands in this submission. 'waiting': not yet submitted. */
export type NodePhase = 'waiting' | 'queued' | 'running' | 'succeeded' | 'failed' | 'pruned' | 'deleted';

export const FINISHED_PHASES: ReadonlySet<NodePhase> = new Set(['succeeded', 'failed', 'pruned', 'deleted']);

export interface UnitNode {
  name: string;
  label: string;
  /** File-safe name (scripts, status files). */
  file: string;
  /** Indices of this unit's nodes it depends on (earlier in `nodes`). */
  parents: number[];
  children: number[];
  cpus: number;
  requestMemory: number;
  memoryMultiplier: number;
  memoryLimit?: number;
  requestMemoryMax?: number;
  walltimeSeconds?: number;
  partition?: string;
  retryUnlessExit: number[];
  maxAttempts: number;
  /** The current attempt of this submission (1, 2, ...). */
  attempt: number;
  /** Slurm id of the current attempt. */
  id?: string;
  phase: NodePhase;
  /** When the current attempt became eligible to run (its queue wait starts). */
  readyAt?: string;
  /** The current attempt's start is in the store. */
  startRecorded?: boolean;
}

export interface UnitState {
  nodes: UnitNode[];
}

export const STATE_FILE = 'state.json';
export const SUBMITTED_FILE = 'submitted';
export const WMS_ID_FILE = 'wms_id';
export const CANCELLED_FILE = 'cancelled';
export const CURRENT_FILE = 'current';

export function readUnitState(dir: string): UnitState {
  return JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as UnitState;
}

export function writeUnitState(submitPath: string, dir: string, state: UnitState): void {
  writeFileUnder(submitPath, path.join(dir, STATE_FILE), JSON.stringify(state));
}

/** The ids sbatch gave, by node index, from the append-only log of a submit that may have been interrupted. */
export function readSubmitted(dir: string): Map<number, string> {
  const file = path.join(dir, SUBMITTED_FILE);
  const out = new Map<number, string>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line.trim());
    if (m) out.set(Number(m[1]), m[2]);
  }
  return out;
}

export function appendSubmitted(submitPath: string, dir: string, index: number, id: string): void {
  writeFileUnder(submitPath, path.join(dir, SUBMITTED_FILE), `${index} ${id}\n`, { append: true });
}

/** The status file GNU time writes for an attempt of a node. */
export function statusFile(dir: string, node: UnitNode, attempt: number): string {
  return path.join(dir, 'status', `${node.file}.${attempt}`);
}

/** Indices of a node's descendants in this unit. */
export function descendants(state: UnitState, index: number): number[] {
  const seen = new Set<number>();
  const stack = [...state.nodes[index].children];
  while (stack.length) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    stack.push(...state.nodes[i].children);
  }
  return [...seen].sort((a, b) => a - b);
}
