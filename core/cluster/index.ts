// Clustering entry point: quanta -> clusters (future jobs). Single-quantum clustering by default; dimension clustering
// from `cluster.<name>` sections when clusterAlgorithm names dimension_clustering. Semantics in README.md here.

import { BadInputError } from '../errors.js';
import type { QuantumGraph } from '../qgraph/model.js';
import { graphAccess, labelEdges, labelOrder, type GraphAccess } from './access.js';
import { addDimensionClusters } from './dimension.js';
import type { ClusteredGraph } from './model.js';
import { finishClusters } from './order.js';
import { configFileOf, readClusterSettings, type ClusterConfig, type ClusterSettings } from './settings.js';
import { addSingleClusters } from './single.js';
import { ClusterTable } from './table.js';
import { NameRegistry } from './template.js';

export type { Cluster, ClusteredGraph } from './model.js';
export type { ClusterConfig } from './settings.js';
export { compileNameTemplate, cleanName } from './template.js';

/** BPS-style check on the task level: the graph of cluster labels (sections plus unclustered task labels) is a DAG. */
function checkLabelCycle(g: GraphAccess, settings: ClusterSettings, edges: Uint8Array, config: ClusterConfig): void {
  const L = g.labels.length;
  const owner = g.labels.slice();
  for (const s of settings.sections) for (const l of s.labels) owner[l] = s.name;
  const nodes = [...new Set(owner)];
  const idx = new Map(nodes.map((n, k) => [n, k]));
  const N = nodes.length;
  const adj: Set<number>[] = nodes.map(() => new Set());
  const via = new Map<string, string>();
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < L; b++) {
      if (!edges[a * L + b]) continue;
      const x = idx.get(owner[a])!;
      const y = idx.get(owner[b])!;
      if (x !== y) {
        adj[x].add(y);
        if (!via.has(`${x}>${y}`)) via.set(`${x}>${y}`, `${g.labels[a]} -> ${g.labels[b]}`);
      }
    }
  }
  const state = new Uint8Array(N); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const dfs = (u: number): number[] | undefined => {
    state[u] = 1;
    stack.push(u);
    for (const v of adj[u]) {
      if (state[v] === 1) return [...stack.slice(stack.indexOf(v)), v];
      if (state[v] === 0) {
        const c = dfs(v);
        if (c) return c;
      }
    }
    stack.pop();
    state[u] = 2;
    return undefined;
  };
  for (let u = 0; u < N; u++) {
    if (state[u] !== 0) continue;
    const cycle = dfs(u);
    if (cycle) {
      const edgesText = cycle.slice(1).map((v, k) => via.get(`${cycle[k]}>${v}`)).join(', ');
      throw new BadInputError(
        `cluster definitions make a cycle: ${cycle.map((c) => nodes[c]).join(' -> ')} (task dependencies ${edgesText}); ` +
          'move a task into or out of a cluster so the clusters depend on each other in one direction only',
        { file: configFileOf(config, 'cluster'), key: 'cluster' },
      );
    }
  }
}

export interface ClusterResult extends ClusteredGraph {
  /** Notes for the operator (ignored sections, ...). */
  warnings: string[];
}

/** Group the quanta of a graph into clusters as the config says. */
export function clusterQuanta(graph: QuantumGraph, config: ClusterConfig): ClusterResult {
  const g = graphAccess(graph);
  const settings = readClusterSettings(config, g);
  const table = new ClusterTable(g.size);
  const names = new NameRegistry();
  if (settings.sections.length > 0) {
    const edges = labelEdges(g);
    checkLabelCycle(g, settings, edges, config);
    const order = labelOrder(g.labels.length, edges);
    const taken = new Map<string, string>();
    const scratch = { group: new Int32Array(g.size).fill(-1), part: new Int32Array(g.size).fill(-1) };
    for (const s of settings.sections) addDimensionClusters(g, s, order, table, config, taken, scratch);
    for (const name of taken.keys()) names.add(name);
  }
  addSingleClusters(g, config, table, names);
  const clustered = finishClusters(g, table, (cycle) =>
    new BadInputError(
      `clusters depend on each other in a cycle: ${cycle.join(' -> ')}; change the cluster dimensions or ` +
        'move a task to another cluster so that no cluster needs the output of a cluster that needs its own output',
      { file: configFileOf(config, 'cluster'), key: 'cluster' },
    ),
  );
  return { clusters: clustered.clusters, warnings: settings.warnings };
}
