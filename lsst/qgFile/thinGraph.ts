// The thin graph of a pipe_base `.qg` (the `thin_graph` block: quanta per task label with their UUID and data
// coordinate, and quantum-to-quantum edges) as tbps quantum records, parents first. Quanta are taken task by task
// in pipeline order, which is topological because every edge runs from an earlier task to a later one; that is
// checked for every edge. Parents are held as one flat index array (CSR), not one array per quantum.
import { BadInputError } from '../../core/errors.js';
import type { DataId, DataIdValue, QuantumRecord } from '../../core/qgraph/index.js';
import type { TaskDimensions } from './taskDimensions.js';

interface ThinQuantum {
  quantum_id: string;
  data_coordinate?: DataIdValue[];
}

interface ThinGraph {
  quanta?: Record<string, ThinQuantum[]>;
  edges?: [string, string][];
}

export interface ThinRecords {
  /** Number of quanta. */
  quanta: number;
  /** The quanta as tbps records, in topological order (made one at a time while iterating). */
  records: Iterable<QuantumRecord>;
}

export function thinGraphRecords(thinGraph: unknown, tasks: TaskDimensions[], file: string): ThinRecords {
  const graph = thinGraph as ThinGraph;
  const bad = (problem: string) => new BadInputError(`thin_graph block: ${problem}`, { file });
  if (!graph || typeof graph !== 'object' || !graph.quanta || typeof graph.quanta !== 'object') throw bad('no quanta');
  const known = new Set(tasks.map((t) => t.label));
  for (const label of Object.keys(graph.quanta))
    if (!known.has(label)) throw bad(`quanta for task label ${JSON.stringify(label)}, which the pipeline graph does not have`);

  // Quanta in order: task by task (pipeline order), in file order within a task.
  const order: { task: TaskDimensions; quantum: ThinQuantum }[] = [];
  const indexOf = new Map<string, number>();
  for (const task of tasks) {
    for (const quantum of graph.quanta[task.label] ?? []) {
      if (typeof quantum?.quantum_id !== 'string') throw bad(`task ${task.label}: a quantum without quantum_id`);
      if (indexOf.has(quantum.quantum_id)) throw bad(`quantum ${quantum.quantum_id} appears twice`);
      indexOf.set(quantum.quantum_id, order.length);
      order.push({ task, quantum });
    }
  }

  // Parents of each quantum as CSR (offsets into one index array).
  const edges = graph.edges ?? [];
  const n = order.length;
  const offsets = new Int32Array(n + 1);
  const edgeParent = new Int32Array(edges.length);
  const edgeChild = new Int32Array(edges.length);
  edges.forEach((edge, e) => {
    const parent = indexOf.get(edge?.[0]);
    const child = indexOf.get(edge?.[1]);
    if (parent === undefined || child === undefined) throw bad(`edge ${e} names a quantum that is not in the graph: ${JSON.stringify(edge)}`);
    if (parent >= child)
      throw bad(
        `edge ${edge[0]} (${order[parent].task.label}) -> ${edge[1]} (${order[child].task.label}) runs against the pipeline's task order`,
      );
    edgeParent[e] = parent;
    edgeChild[e] = child;
    offsets[child + 1]++;
  });
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const parents = new Int32Array(edges.length);
  const fill = offsets.slice(0, n);
  for (let e = 0; e < edges.length; e++) parents[fill[edgeChild[e]]++] = edgeParent[e];

  function* records(): Generator<QuantumRecord> {
    for (let i = 0; i < n; i++) {
      const { task, quantum } = order[i];
      const values = quantum.data_coordinate ?? [];
      if (values.length !== task.coordinateLength)
        throw bad(`quantum ${quantum.quantum_id} (${task.label}): data coordinate has ${values.length} values, the task's dimensions ${task.coordinateLength}`);
      const dataId: DataId = {};
      for (let k = 0; k < task.required.length; k++) dataId[task.required[k]] = values[k];
      const ids: string[] = [];
      for (let p = offsets[i]; p < offsets[i + 1]; p++) ids.push(order[parents[p]].quantum.quantum_id);
      yield { id: quantum.quantum_id, label: task.label, dataId, parents: ids };
    }
  }
  return { quanta: n, records: { [Symbol.iterator]: records } };
}
