// Uniform fast access to a QuantumGraph for the clustering code: uses the typed-array views of CompactQuantumGraph
// when available and falls back to the plain QuantumGraph interface otherwise.

import { CompactQuantumGraph } from '../qgraph/compact.js';
import type { QuantumGraph, TaskDef } from '../qgraph/model.js';

export interface GraphAccess {
  readonly graph: QuantumGraph;
  readonly size: number;
  /** Task labels in header order. */
  readonly labels: string[];
  readonly tasks: Map<string, TaskDef>;
  labelIndex(i: number): number;
  parents(i: number): ArrayLike<number>;
  children(i: number): ArrayLike<number>;
  value(i: number, key: string): string | number | undefined;
  /** Quanta of a label (by label index), ascending. */
  quantaOf(labelIndex: number): ArrayLike<number>;
}

export function graphAccess(graph: QuantumGraph): GraphAccess {
  const labels = graph.labels();
  const tasks = new Map(graph.header.tasks.map((t) => [t.label, t]));
  if (graph instanceof CompactQuantumGraph) {
    const byLabel = graph.quantaByLabel();
    return {
      graph,
      size: graph.size,
      labels,
      tasks,
      labelIndex: (i) => graph.labelIndex(i),
      parents: (i) => graph.parentView(i),
      children: (i) => graph.childView(i),
      value: (i, key) => graph.dataIdValue(i, key),
      quantaOf: (l) => byLabel[l],
    };
  }
  const index = new Map(labels.map((l, k) => [l, k]));
  const labelOf = new Int32Array(graph.size);
  const byLabel: number[][] = labels.map(() => []);
  for (let i = 0; i < graph.size; i++) {
    const l = index.get(graph.label(i));
    if (l === undefined) throw new Error(`quantum ${graph.id(i)} has label ${graph.label(i)} not declared in the header`);
    labelOf[i] = l;
    byLabel[l].push(i);
  }
  return {
    graph,
    size: graph.size,
    labels,
    tasks,
    labelIndex: (i) => labelOf[i],
    parents: (i) => graph.parents(i),
    children: (i) => graph.children(i),
    value: (i, key) => graph.dataId(i)[key],
    quantaOf: (l) => byLabel[l],
  };
}

/** Label-level dependency matrix (L x L, [parent * L + child] = 1) derived from the quantum edges. */
export function labelEdges(g: GraphAccess): Uint8Array {
  const L = g.labels.length;
  const m = new Uint8Array(L * L);
  for (let i = 0; i < g.size; i++) {
    const li = g.labelIndex(i);
    const ps = g.parents(i);
    for (let k = 0; k < ps.length; k++) {
      const lp = g.labelIndex(ps[k]);
      if (lp !== li) m[lp * L + li] = 1;
    }
  }
  return m;
}

/** Label indices in a topological order of the label graph (header order breaks ties; header order on a cycle). */
export function labelOrder(L: number, edges: Uint8Array): number[] {
  const indeg = new Int32Array(L);
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) if (edges[a * L + b]) indeg[b]++;
  const done = new Uint8Array(L);
  const out: number[] = [];
  while (out.length < L) {
    let pick = -1;
    for (let a = 0; a < L; a++) {
      if (!done[a] && indeg[a] === 0) {
        pick = a;
        break;
      }
    }
    if (pick < 0) {
      for (let a = 0; a < L; a++) if (!done[a]) out.push(a);
      return out;
    }
    done[pick] = 1;
    out.push(pick);
    for (let b = 0; b < L; b++) if (edges[pick * L + b]) indeg[b]--;
  }
  return out;
}
