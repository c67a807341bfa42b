// The quantum-graph model shared by readers, the synthetic generator and clustering.
// On disk a graph is the JSON Lines interchange format documented in core/qgraph/FORMAT.md.

export type DataIdValue = string | number;
export type DataId = Record<string, DataIdValue>;

/** One pipeline task as declared in the graph header. */
export interface TaskDef {
  label: string;
  /** Quantum dimensions of the task, e.g. ["instrument", "visit", "detector"]. */
  dimensions: string[];
  taskClass?: string;
}

/** First line of a graph file. */
export interface QGraphHeader {
  format: 'tbps-qgraph';
  version: 1;
  /** Free-form provenance: butler, inputs, output run, pipeline, data query, tool versions, ... */
  metadata: Record<string, unknown>;
  tasks: TaskDef[];
  /** Number of quantum lines that follow, when known (readers check it). */
  quanta?: number;
}

/** One quantum line. `parents` are ids of quanta whose outputs this quantum consumes. */
export interface QuantumRecord {
  id: string;
  label: string;
  dataId: DataId;
  parents: string[];
}

/**
 * A graph held in memory in compact form (quanta addressed by index 0..size-1, in file order, which is
 * topological: every quantum comes after its parents).
 */
export interface QuantumGraph {
  readonly header: QGraphHeader;
  readonly size: number;
  id(i: number): string;
  label(i: number): string;
  dataId(i: number): DataId;
  parents(i: number): readonly number[];
  children(i: number): readonly number[];
  indexOf(id: string): number | undefined;
  /** Task labels in header order. */
  labels(): string[];
}
