// Output of clustering: quanta grouped into clusters (future jobs) with cluster-level dependencies.

export interface Cluster {
  /** Unique name, e.g. "isr_903342_10" or from clusterTemplate. Becomes the job name. */
  name: string;
  /** Cluster label: the task label for single-quantum clusters, the cluster section name otherwise. */
  label: string;
  /** Task labels of the quanta inside (ordered as in the pipeline). */
  taskLabels: string[];
  /** Indices of quanta (into the QuantumGraph) in this cluster, in an order that respects their dependencies. */
  quanta: number[];
  /** Indices of clusters this one depends on. */
  parents: number[];
  /** Dimension values that define the cluster (empty for single-quantum clusters: the quantum's data id). */
  tags: Record<string, string | number>;
}

export interface ClusteredGraph {
  clusters: Cluster[];
}
