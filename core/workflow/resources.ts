// Job resources of a cluster from the per-task attributes (BPS rule): the maximum of requestMemory,
// requestMemoryMax, requestCpus, memoryMultiplier and numberOfRetries; the sum of requestDisk and requestWalltime;
// environments merge (a variable set to two different values is an error); every other attribute must agree.

import { BadInputError } from '../errors.js';
import type { JobAttributes } from '../config/index.js';

const MAX_KEYS = ['requestMemory', 'requestMemoryMax', 'requestCpus', 'memoryMultiplier', 'numberOfRetries'] as const;
const SUM_KEYS = ['requestDisk', 'requestWalltime'] as const;
const SAME_KEYS = [
  'memoryLimit',
  'retryUnlessExit',
  'abortOnValue',
  'priority',
  'concurrencyLimit',
  'queue',
  'computeSite',
  'preemptible',
] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Aggregate the attributes of the task labels of one cluster. `perTask` pairs each task label with its attributes.
 * `where` names the cluster in messages; `file` is the config file to point at.
 */
export function aggregateAttributes(
  perTask: { label: string; attrs: JobAttributes }[],
  where: { cluster: string; file?: string },
): JobAttributes {
  if (perTask.length === 0) throw new Error('aggregateAttributes: no tasks');
  if (perTask.length === 1) return perTask[0].attrs;
  const out = { ...perTask[0].attrs, environment: { ...perTask[0].attrs.environment } } as JobAttributes;
  const o = out as unknown as Record<string, unknown>;
  for (const { attrs } of perTask.slice(1)) {
    const a = attrs as unknown as Record<string, unknown>;
    for (const k of MAX_KEYS) {
      const v = a[k] as number | undefined;
      if (v !== undefined && (o[k] === undefined || v > (o[k] as number))) o[k] = v;
    }
    for (const k of SUM_KEYS) {
      const v = a[k] as number | undefined;
      if (v !== undefined) o[k] = ((o[k] as number | undefined) ?? 0) + v;
    }
  }
  for (const k of SAME_KEYS) {
    const distinct = new Map<string, string[]>();
    for (const { label, attrs } of perTask) {
      const v = JSON.stringify((attrs as unknown as Record<string, unknown>)[k] ?? null);
      if (!distinct.has(v)) distinct.set(v, []);
      distinct.get(v)!.push(label);
    }
    if (distinct.size > 1) {
      const detail = [...distinct.entries()].map(([v, labels]) => `${labels.join(', ')}: ${v === 'null' ? 'unset' : v}`).join('; ');
      throw new BadInputError(
        `the tasks of cluster "${where.cluster}" disagree on ${k} (${detail}); tasks in one cluster must agree on ${k} ` +
          `(set it in cluster.${where.cluster} or the same for every task)`,
        { file: where.file, key: `cluster.${where.cluster}.${k}` },
      );
    }
  }
  for (const { label, attrs } of perTask.slice(1)) {
    for (const [name, value] of Object.entries(attrs.environment)) {
      if (name in out.environment && !same(out.environment[name], value)) {
        throw new BadInputError(
          `the tasks of cluster "${where.cluster}" set environment variable ${name} differently ` +
            `(${perTask[0].label}: ${JSON.stringify(out.environment[name])}, ${label}: ${JSON.stringify(value)}); give it one value`,
          { file: where.file, key: `cluster.${where.cluster}.environment.${name}` },
        );
      }
      out.environment[name] = value;
    }
  }
  return out;
}
