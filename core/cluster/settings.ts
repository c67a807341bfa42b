// Reads and checks the clustering part of a BPS config: `clusterAlgorithm`, `templateDataId` and the `cluster.<name>`
// sections (pipetasks, dimensions, equalDimensions, clusterTemplate, findDependencyMethod, partitionDimensions,
// partitionMaxClusters, partitionMaxSize). Every problem is a BadInputError naming the key.

import { BadInputError } from '../errors.js';
import type { LookupContext } from '../config/types.js';
import type { GraphAccess } from './access.js';
import { compileNameTemplate } from './template.js';

/** What clustering needs from a BpsConfig (BpsConfig satisfies it). */
export interface ClusterConfig {
  get(key: string, ctx?: LookupContext): unknown;
  section(key: string): Record<string, unknown> | undefined;
}

export const DEFAULT_TEMPLATE_DATA_ID = '{tract}_{patch}_{band}_{visit}_{exposure}_{detector}';
const DIMENSION_ALGORITHM = 'dimension_clustering';
const SINGLE_ALGORITHM = 'single_quantum_clustering';

export interface ClusterSection {
  name: string;
  /** Label indices (into the graph's labels) of the section's tasks present in the graph. */
  labels: number[];
  dims: string[];
  /** Pairs of dimension names treated as equal, e.g. ['visit', 'exposure']. */
  equal: [string, string][];
  /** Raw clusterTemplate, or the BPS default `<name>_{dim1}_{dim2}...`. */
  template: string;
  findDependencyMethod?: 'source' | 'sink';
  partitionDims: string[];
  partitionMaxClusters?: number;
  partitionMaxSize?: number;
}

export interface ClusterSettings {
  algorithm: 'single' | 'dimension';
  sections: ClusterSection[];
  warnings: string[];
}

/** File that set a config key, when the config can tell (BpsConfig.fileOf / sourceOf). */
export function configFileOf(config: unknown, key: string): string | undefined {
  const c = config as { fileOf?: (k: string) => unknown; sourceOf?: (k: string) => unknown };
  try {
    const f = c.fileOf?.(key) ?? c.sourceOf?.(key);
    if (typeof f === 'string') return f;
    if (f && typeof f === 'object' && typeof (f as { file?: unknown }).file === 'string') return (f as { file: string }).file;
  } catch {
    // best effort only
  }
  return undefined;
}

export function configError(config: unknown, key: string, problem: string): BadInputError {
  return new BadInputError(problem, { file: configFileOf(config, key), key });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A comma list given as a string ("a, b") or a YAML list; empty entries dropped. */
function list(config: unknown, key: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter((x) => x.length > 0);
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  throw configError(config, key, `must be a comma-separated string or a list (got ${JSON.stringify(v)})`);
}

function positiveInt(config: unknown, key: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw configError(config, key, `must be a positive integer (got ${JSON.stringify(v)})`);
  }
  return n;
}

/**
 * A clusterTemplate may name only the cluster's dimensions (and partition dimensions) and {label}: any other
 * placeholder would silently render empty and merge clusters that should differ.
 */
function checkClusterTemplate(config: unknown, key: string, template: string, name: string, dims: string[], partitionDims: string[]): void {
  const allowed = new Set(['label', ...dims, ...partitionDims]);
  const unknown = compileNameTemplate(template).keys.filter((k) => !allowed.has(k));
  if (unknown.length > 0) {
    const names = [...allowed].map((d) => `{${d}}`).join(', ');
    throw configError(
      config,
      key,
      `"${template}" names ${unknown.map((u) => `{${u}}`).join(', ')}, which ${unknown.length > 1 ? 'are not dimensions' : 'is not a dimension'} ` +
        `of cluster "${name}" (its dimensions: ${dims.join(', ') || 'none'}); use ${names}, or add the dimension to ${name}.dimensions`,
    );
  }
}

export function readClusterSettings(config: ClusterConfig, g: GraphAccess): ClusterSettings {
  const warnings: string[] = [];
  const algo = config.get('clusterAlgorithm');
  if (algo !== undefined && algo !== null && typeof algo !== 'string') {
    throw configError(config, 'clusterAlgorithm', `must be a string (got ${JSON.stringify(algo)})`);
  }
  const section = config.section('cluster');
  if (!algo || algo.includes(SINGLE_ALGORITHM)) {
    if (section && Object.keys(section).length > 0 && algo === undefined) {
      warnings.push(
        'the config has a cluster section but no clusterAlgorithm, so it is ignored (one quantum per job); set ' +
          `clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.${DIMENSION_ALGORITHM} to use it`,
      );
    }
    return { algorithm: 'single', sections: [], warnings };
  }
  if (!algo.includes(DIMENSION_ALGORITHM)) {
    throw configError(
      config,
      'clusterAlgorithm',
      `unknown clustering algorithm "${algo}"; use lsst.ctrl.bps.quantum_clustering_funcs.${DIMENSION_ALGORITHM} ` +
        `or lsst.ctrl.bps.quantum_clustering_funcs.${SINGLE_ALGORITHM}`,
    );
  }
  const labelIndex = new Map(g.labels.map((l, k) => [l, k]));
  const owner = new Map<string, string>();
  const sections: ClusterSection[] = [];
  for (const [name, raw] of Object.entries(section ?? {})) {
    const base = `cluster.${name}`;
    if (!isRecord(raw)) throw configError(config, base, 'must be a section (pipetasks, dimensions, ...)');
    const pipetasks = list(config, `${base}.pipetasks`, raw.pipetasks);
    if (pipetasks.length === 0) {
      throw configError(config, `${base}.pipetasks`, 'is missing or empty; list the task labels of this cluster, e.g. "isr, calibrate"');
    }
    for (const label of pipetasks) {
      const prev = owner.get(label);
      if (prev !== undefined) {
        throw configError(
          config,
          `${base}.pipetasks`,
          `task label "${label}" is already in cluster "${prev}"; a label may be in one cluster only`,
        );
      }
      owner.set(label, name);
    }
    const present = pipetasks.filter((l) => labelIndex.has(l));
    const unknown = pipetasks.filter((l) => !labelIndex.has(l));
    if (present.length === 0) {
      warnings.push(`cluster "${name}": none of its pipetasks (${pipetasks.join(', ')}) is in this graph; section skipped`);
      continue;
    }
    if (unknown.length > 0) {
      throw configError(
        config,
        `${base}.pipetasks`,
        `unknown task label${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; ` +
          `the graph has: ${g.labels.join(', ')}`,
      );
    }

    const dims = list(config, `${base}.dimensions`, raw.dimensions);
    const equal: [string, string][] = list(config, `${base}.equalDimensions`, raw.equalDimensions).map((pair) => {
      const parts = pair.split(':').map((p) => p.trim());
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        throw configError(config, `${base}.equalDimensions`, `"${pair}" is not a pair; write dim1:dim2, e.g. visit:exposure`);
      }
      return [parts[0], parts[1]];
    });
    const fdm = raw.findDependencyMethod;
    if (fdm !== undefined && fdm !== null && fdm !== 'source' && fdm !== 'sink') {
      throw configError(config, `${base}.findDependencyMethod`, `must be "source" or "sink" (got ${JSON.stringify(fdm)})`);
    }
    const partitionDims = list(config, `${base}.partitionDimensions`, raw.partitionDimensions);
    const partitionMaxClusters = positiveInt(config, `${base}.partitionMaxClusters`, raw.partitionMaxClusters);
    const partitionMaxSize = positiveInt(config, `${base}.partitionMaxSize`, raw.partitionMaxSize);
    if (partitionDims.length > 0 && partitionMaxClusters === undefined && partitionMaxSize === undefined) {
      throw configError(config, `${base}.partitionDimensions`, 'is set but neither partitionMaxClusters nor partitionMaxSize is; set one of them');
    }
    if (partitionMaxClusters !== undefined && partitionMaxSize !== undefined) {
      throw configError(config, `${base}.partitionMaxSize`, 'set only one of partitionMaxClusters and partitionMaxSize');
    }
    if (partitionDims.length === 0 && (partitionMaxClusters !== undefined || partitionMaxSize !== undefined)) {
      warnings.push(`cluster "${name}": partitionMax* is set without partitionDimensions; ignored`);
    }
    let template = raw.clusterTemplate;
    if (template !== undefined && template !== null && typeof template !== 'string') {
      throw configError(config, `${base}.clusterTemplate`, `must be a string such as "{visit}_{detector}"`);
    }
    if (!template) template = dims.length > 0 ? `${name}_` + dims.map((d) => `{${d}}`).join('_') : name;
    else checkClusterTemplate(config, `${base}.clusterTemplate`, template as string, name, dims, partitionDims);

    // Every task must have every cluster/partition dimension (or an equal one), unless dependencies fill gaps.
    if (!fdm) {
      for (const label of present) {
        const tdims = g.tasks.get(label)?.dimensions ?? [];
        for (const dim of [...dims, ...partitionDims]) {
          const ok = tdims.includes(dim) || equal.some(([a, b]) => (a === dim && tdims.includes(b)) || (b === dim && tdims.includes(a)));
          if (!ok) {
            const key = dims.includes(dim) ? `${base}.dimensions` : `${base}.partitionDimensions`;
            throw configError(
              config,
              key,
              `task "${label}" has no dimension "${dim}" (its dimensions: ${tdims.join(', ') || 'none'}); remove "${dim}", ` +
                `add an equalDimensions pair such as ${dim}:<one of its dimensions>, or set findDependencyMethod`,
            );
          }
        }
      }
    }
    sections.push({
      name,
      labels: present.map((l) => labelIndex.get(l)!),
      dims,
      equal,
      template: template as string,
      findDependencyMethod: fdm ?? undefined,
      partitionDims,
      partitionMaxClusters,
      partitionMaxSize,
    });
  }
  return { algorithm: 'dimension', sections, warnings };
}
