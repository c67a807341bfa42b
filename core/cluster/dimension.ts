// Dimension clustering of one `cluster.<name>` section (BPS dimension_clustering): quanta of the section's tasks are
// grouped by the values of `dimensions` (with `equalDimensions` pairs treated as the same dimension), named by
// `clusterTemplate`, and optionally split by `partitionDimensions` (see partition.ts).
//
// findDependencyMethod (our semantics, documented in README of this folder):
//   unset   every quantum must have a value for every cluster dimension (else an error names the quantum).
//   source  labels are visited in dependency order; from each quantum with all values, the walk follows CHILDREN
//           inside the section; a reached quantum lacking a value joins the cluster of the quantum it was reached from.
//   sink    the same walking PARENTS from the last labels backwards.
//   A quantum with all values always joins its own cluster; a quantum lacking values that no walk reaches is an error.

import { BadInputError } from '../errors.js';
import type { GraphAccess } from './access.js';
import { partitionIds } from './partition.js';
import { configError, configFileOf, type ClusterConfig, type ClusterSection } from './settings.js';
import { ClusterTable, type Tags } from './table.js';
import { compileNameTemplate } from './template.js';

export interface SectionResult {
  /** Names created by this section (for collision checks with later sections). */
  names: string[];
}

export function addDimensionClusters(
  g: GraphAccess,
  s: ClusterSection,
  labelOrder: number[],
  table: ClusterTable,
  config: ClusterConfig,
  /** Cluster names already taken by earlier sections -> section name. */
  taken: Map<string, string>,
  /** Scratch arrays of graph size (reset by this function for the quanta it touches). */
  scratch: { group: Int32Array; part: Int32Array },
): void {
  const base = `cluster.${s.name}`;
  const allDims = [...s.dims, ...s.partitionDims.filter((d) => !s.dims.includes(d))];
  const template = compileNameTemplate(s.template);
  const inSection = new Uint8Array(g.labels.length);
  for (const l of s.labels) inSection[l] = 1;

  const groupIndex = new Map<string, number>();
  const groupNames: string[] = [];
  const groupTags: Tags[] = [];
  const partIndex = new Map<string, number>();
  const partKeys: string[] = [];
  const { group, part } = scratch;
  const vals: (string | number)[] = new Array(allDims.length);

  const valueOf = (q: number, dim: string): string | number | undefined => {
    let v = g.value(q, dim);
    if (v !== undefined) return v;
    for (const [a, b] of s.equal) {
      if (a === dim) v = g.value(q, b);
      else if (b === dim) v = g.value(q, a);
      if (v !== undefined) return v;
    }
    return undefined;
  };

  /** Fills `vals`; returns the first missing dimension, or undefined when all are present. */
  const collect = (q: number): string | undefined => {
    for (let k = 0; k < allDims.length; k++) {
      const v = valueOf(q, allDims[k]);
      if (v === undefined) return allDims[k];
      vals[k] = v;
    }
    return undefined;
  };

  /** Assigns q to the cluster given by its own dimension values (collect() must have succeeded). */
  const assignOwn = (q: number): void => {
    const name = template.render((key) => {
      if (key === 'label') return s.name;
      const k = allDims.indexOf(key);
      return k >= 0 ? vals[k] : undefined;
    });
    let gi = groupIndex.get(name);
    if (gi === undefined) {
      gi = groupNames.length;
      groupIndex.set(name, gi);
      groupNames.push(name || s.name);
      const tags: Tags = {};
      s.dims.forEach((d, k) => (tags[d] = vals[k]));
      groupTags.push(tags);
    }
    group[q] = gi;
    if (s.partitionDims.length > 0) {
      const pk = s.partitionDims.map((d) => String(vals[allDims.indexOf(d)])).join('==');
      let pi = partIndex.get(pk);
      if (pi === undefined) {
        pi = partKeys.length;
        partIndex.set(pk, pi);
        partKeys.push(pk);
      }
      part[q] = pi;
    }
  };

  const missingError = (q: number, dim: string): BadInputError =>
    configError(
      config,
      s.dims.includes(dim) ? `${base}.dimensions` : `${base}.partitionDimensions`,
      `quantum ${g.graph.id(q)} (task "${g.labels[g.labelIndex(q)]}", data id ${JSON.stringify(g.graph.dataId(q))}) ` +
        `has no value for dimension "${dim}"` +
        (s.findDependencyMethod
          ? ` and no ${s.findDependencyMethod === 'source' ? 'parent' : 'child'} in the cluster to take it from`
          : '; add an equalDimensions pair, remove the dimension, or set findDependencyMethod'),
    );

  const order = labelOrder.filter((l) => inSection[l]);
  const members: number[] = [];
  if (!s.findDependencyMethod) {
    for (const l of order) {
      const qs = g.quantaOf(l);
      for (let k = 0; k < qs.length; k++) {
        const q = qs[k];
        const missing = collect(q);
        if (missing !== undefined) throw missingError(q, missing);
        assignOwn(q);
        members.push(q);
      }
    }
  } else {
    const source = s.findDependencyMethod === 'source';
    if (!source) order.reverse();
    const visited = new Uint8Array(g.size);
    const stack: number[] = [];
    for (const l of order) {
      const qs = g.quantaOf(l);
      for (let k = 0; k < qs.length; k++) {
        const q0 = qs[k];
        if (visited[q0]) continue;
        visited[q0] = 1;
        const missing = collect(q0);
        if (missing !== undefined) throw missingError(q0, missing);
        assignOwn(q0);
        members.push(q0);
        stack.push(q0);
        while (stack.length > 0) {
          const x = stack.pop()!;
          const next = source ? g.children(x) : g.parents(x);
          for (let e = 0; e < next.length; e++) {
            const y = next[e];
            if (visited[y] || !inSection[g.labelIndex(y)]) continue;
            visited[y] = 1;
            if (collect(y) === undefined) {
              assignOwn(y);
            } else {
              group[y] = group[x];
              part[y] = part[x];
            }
            members.push(y);
            stack.push(y);
          }
        }
      }
    }
  }

  // Partition values -> partition ids (1-based), shared by all clusters of the section, as in BPS.
  let partIds: Int32Array | undefined;
  if (s.partitionDims.length > 0) {
    partIds = partitionIds(partKeys, groupNames.length, s, (key, problem) => configError(config, key, problem));
  }

  // Materialise clusters: (group, partition) -> cluster index.
  const clusterIndex = new Map<number, number>();
  const taskLabels = order
    .slice()
    .sort((a, b) => labelOrder.indexOf(a) - labelOrder.indexOf(b))
    .map((l) => g.labels[l]);
  const stride = partKeys.length + 1;
  for (const q of members) {
    const gi = group[q];
    const pid = partIds ? partIds[part[q]] : 0;
    const key = gi * stride + pid;
    let c = clusterIndex.get(key);
    if (c === undefined) {
      const name = partIds ? `${groupNames[gi]}_${String(pid).padStart(3, '0')}` : groupNames[gi];
      const other = taken.get(name);
      if (other !== undefined) {
        throw new BadInputError(
          `cluster name "${name}" is produced by both cluster "${other}" and cluster "${s.name}"; make the clusterTemplate values distinct (e.g. start with the cluster name)`,
          { file: configFileOf(config, `${base}.clusterTemplate`), key: `${base}.clusterTemplate` },
        );
      }
      taken.set(name, s.name);
      c = table.add(name, s.name, taskLabels, groupTags[gi]);
      clusterIndex.set(key, c);
    }
    table.clusterOf[q] = c;
    group[q] = -1;
    part[q] = -1;
  }
}
