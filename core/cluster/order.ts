// From the quantum -> cluster map to the final ClusteredGraph: cluster members (ascending quantum index, i.e.
// dependency order), cluster parents derived from quantum parents (no self-edges), and a topological order of the
// clusters that follows the graph-file order as closely as possible. A cycle between clusters is a BadInputError.

import { BadInputError } from '../errors.js';
import { Int32Vec } from '../qgraph/vec.js';
import type { Cluster, ClusteredGraph } from './model.js';
import type { GraphAccess } from './access.js';
import type { ClusterTable } from './table.js';

class MinHeap {
  private readonly items: Int32Array;
  private n = 0;
  constructor(
    capacity: number,
    private readonly key: Int32Array,
  ) {
    this.items = new Int32Array(Math.max(1, capacity));
  }
  get size(): number {
    return this.n;
  }
  push(v: number): void {
    let i = this.n++;
    const { items, key } = this;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (key[items[p]] <= key[v]) break;
      items[i] = items[p];
      i = p;
    }
    items[i] = v;
  }
  pop(): number {
    const { items, key } = this;
    const top = items[0];
    const last = items[--this.n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && key[items[r]] < key[items[l]] ? r : l;
      if (key[items[c]] >= key[last]) break;
      items[i] = items[c];
      i = c;
    }
    items[i] = last;
    return top;
  }
}

export function finishClusters(
  g: GraphAccess,
  table: ClusterTable,
  cycleError: (cycle: string[]) => BadInputError,
): ClusteredGraph {
  const n = table.count;
  const clusterOf = table.clusterOf;

  // Members CSR (ascending quantum index inside each cluster).
  const memOff = new Int32Array(n + 1);
  for (let q = 0; q < g.size; q++) memOff[clusterOf[q] + 1]++;
  for (let c = 0; c < n; c++) memOff[c + 1] += memOff[c];
  const fill = memOff.slice(0, n);
  const members = new Int32Array(g.size);
  for (let q = 0; q < g.size; q++) members[fill[clusterOf[q]]++] = q;

  // Parents CSR (deduplicated with a stamp array).
  const parOff = new Int32Array(n + 1);
  const par = new Int32Vec(Math.max(16, g.size));
  const stamp = new Int32Array(n).fill(-1);
  let inOrder = true;
  for (let c = 0; c < n; c++) {
    for (let m = memOff[c]; m < memOff[c + 1]; m++) {
      const ps = g.parents(members[m]);
      for (let k = 0; k < ps.length; k++) {
        const pc = clusterOf[ps[k]];
        if (pc !== c && stamp[pc] !== c) {
          stamp[pc] = c;
          par.push(pc);
          if (pc > c) inOrder = false;
        }
      }
    }
    parOff[c + 1] = par.length;
    if (c > 0 && members[memOff[c]] < members[memOff[c - 1]]) inOrder = false;
  }

  // Order: identity when creation order is already topological and follows the file; else Kahn by first quantum.
  let order: Int32Array;
  if (inOrder) {
    order = new Int32Array(n);
    for (let c = 0; c < n; c++) order[c] = c;
  } else {
    order = kahn(n, parOff, par.data, memOff, members, (cycle) => {
      throw cycleError(cycle.map((c) => table.names[c]));
    });
  }
  const newIndex = new Int32Array(n);
  for (let k = 0; k < n; k++) newIndex[order[k]] = k;

  const clusters: Cluster[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const c = order[k];
    // Exact-size arrays (push() would reserve room for 17 elements per array: 1M clusters x 2 arrays add up).
    const np = parOff[c + 1] - parOff[c];
    const parents: number[] = np === 0 ? [] : np === 1 ? [newIndex[par.data[parOff[c]]]] : new Array(np);
    if (np > 1) {
      for (let e = 0; e < np; e++) parents[e] = newIndex[par.data[parOff[c] + e]];
      parents.sort((a, b) => a - b);
    }
    const nq = memOff[c + 1] - memOff[c];
    const quanta: number[] = nq === 1 ? [members[memOff[c]]] : new Array(nq);
    if (nq > 1) for (let m = 0; m < nq; m++) quanta[m] = members[memOff[c] + m];
    clusters[k] = {
      name: table.names[c],
      label: table.labels[c],
      taskLabels: table.taskLabels[c],
      quanta,
      parents,
      tags: table.tags[c],
    };
  }
  return { clusters };
}

function kahn(
  n: number,
  parOff: Int32Array,
  par: Int32Array,
  memOff: Int32Array,
  members: Int32Array,
  onCycle: (cycle: number[]) => never,
): Int32Array {
  const indeg = new Int32Array(n);
  const childOff = new Int32Array(n + 1);
  for (let c = 0; c < n; c++) {
    indeg[c] = parOff[c + 1] - parOff[c];
    for (let e = parOff[c]; e < parOff[c + 1]; e++) childOff[par[e] + 1]++;
  }
  for (let c = 0; c < n; c++) childOff[c + 1] += childOff[c];
  const fill = childOff.slice(0, n);
  const child = new Int32Array(childOff[n]);
  for (let c = 0; c < n; c++) for (let e = parOff[c]; e < parOff[c + 1]; e++) child[fill[par[e]]++] = c;

  const first = new Int32Array(n);
  for (let c = 0; c < n; c++) first[c] = members[memOff[c]];
  const heap = new MinHeap(n, first);
  for (let c = 0; c < n; c++) if (indeg[c] === 0) heap.push(c);
  const order = new Int32Array(n);
  let k = 0;
  while (heap.size > 0) {
    const c = heap.pop();
    order[k++] = c;
    for (let e = childOff[c]; e < childOff[c + 1]; e++) if (--indeg[child[e]] === 0) heap.push(child[e]);
  }
  if (k < n) onCycle(findCycle(n, parOff, par, indeg));
  return order;
}

/** A cycle among clusters left with unmet dependencies, in dependency direction (parent -> child -> ... -> parent). */
function findCycle(n: number, parOff: Int32Array, par: Int32Array, indeg: Int32Array): number[] {
  let start = 0;
  while (start < n && indeg[start] === 0) start++;
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  let c = start;
  while (!seenAt.has(c)) {
    seenAt.set(c, path.length);
    path.push(c);
    let next = -1;
    for (let e = parOff[c]; e < parOff[c + 1]; e++) {
      if (indeg[par[e]] > 0) {
        next = par[e];
        break;
      }
    }
    if (next < 0) break; // cannot happen: a blocked cluster has a blocked parent
    c = next;
  }
  const cycle = path.slice(seenAt.get(c) ?? 0);
  cycle.reverse();
  cycle.push(cycle[0]);
  return cycle;
}
