// The thin graph of a pipe_base `.qg` (the `thin_graph` block: quanta per task label with their UUID and data
// coordinate, and quantum-to-quantum edges) as tbps quantum records, parents first. The block is scanned by
// thinGraphScanner.ts (no object per quantum or edge). Quanta are taken task by task in pipeline order, which is
// topological because every edge runs from an earlier task to a later one; that is checked for every edge. Parents
// are held as one flat index array (CSR), not one array per quantum.
import { BadInputError } from '../../core/errors.js';
import type { DataId, QuantumRecord } from '../../core/qgraph/index.js';
import type { TaskDimensions } from './taskDimensions.js';
import { scanThinGraph, ThinGraphSyntaxError, type ScannedThinGraph } from './thinGraphScanner.js';

export interface ThinRecords {
  /** Number of quanta. */
  quanta: number;
  /** The quanta as tbps records, in topological order (made one at a time while iterating). */
  records: Iterable<QuantumRecord>;
}

export function thinGraphRecords(block: Buffer, tasks: TaskDimensions[], file: string, expectedQuanta = 0): ThinRecords {
  const bad = (problem: string) => new BadInputError(`thin_graph block: ${problem}`, { file });
  const taskOfLabel = new Map(tasks.map((t, rank) => [t.label, { task: t, rank }]));
  let graph: ScannedThinGraph;
  try {
    graph = scanThinGraph(block, (label) => taskOfLabel.get(label)?.task.required.length ?? 0, expectedQuanta);
  } catch (err) {
    if (err instanceof ThinGraphSyntaxError) throw bad(err.message);
    throw err;
  }
  const rankOf = graph.labels.map((label) => {
    const known = taskOfLabel.get(label);
    if (!known) throw bad(`quanta for task label ${JSON.stringify(label)}, which the pipeline graph does not have`);
    return known.rank;
  });
  const n = graph.count;

  // Quanta in order: task by task (pipeline order), in file order within a task (a stable counting sort).
  const perRank = new Int32Array(tasks.length + 1);
  for (let q = 0; q < n; q++) perRank[rankOf[graph.labelOf[q]] + 1]++;
  for (let r = 0; r < tasks.length; r++) perRank[r + 1] += perRank[r];
  const order = new Int32Array(n); // position -> quantum
  const position = new Int32Array(n); // quantum -> position
  for (let q = 0; q < n; q++) {
    const p = perRank[rankOf[graph.labelOf[q]]]++;
    order[p] = q;
    position[q] = p;
  }
  const taskAt = (p: number) => tasks[rankOf[graph.labelOf[order[p]]]];

  // Parents of each position as CSR (offsets into one index array).
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < graph.edgeCount; e++) {
    const parent = position[graph.edgeFrom[e]];
    const child = position[graph.edgeTo[e]];
    if (parent >= child)
      throw bad(
        `edge ${graph.ids[graph.edgeFrom[e]]} (${taskAt(parent).label}) -> ${graph.ids[graph.edgeTo[e]]} (${taskAt(child).label}) runs against the pipeline's task order`,
      );
    offsets[child + 1]++;
  }
  for (let p = 0; p < n; p++) offsets[p + 1] += offsets[p];
  const parents = new Int32Array(graph.edgeCount);
  const fill = offsets.slice(0, n);
  for (let e = 0; e < graph.edgeCount; e++) parents[fill[position[graph.edgeTo[e]]]++] = position[graph.edgeFrom[e]];

  function* records(): Generator<QuantumRecord> {
    for (let p = 0; p < n; p++) {
      const q = order[p];
      const task = taskAt(p);
      if (graph.coordinateLength[q] !== task.coordinateLength)
        throw bad(`quantum ${graph.ids[q]} (${task.label}): data coordinate has ${graph.coordinateLength[q]} values, the task's dimensions ${task.coordinateLength}`);
      const dataId: DataId = {};
      const first = graph.valueStart[q];
      for (let k = 0; k < task.required.length; k++) dataId[task.required[k]] = graph.values[first + k];
      const ids: string[] = [];
      for (let i = offsets[p]; i < offsets[p + 1]; i++) ids.push(graph.ids[order[parents[i]]]);
      yield { id: graph.ids[q], label: task.label, dataId, parents: ids };
    }
  }
  return { quanta: n, records: { [Symbol.iterator]: records } };
}
