// Clusters under construction: names, labels, tags and the quantum -> cluster map, before ordering and dependency
// computation turn them into the final ClusteredGraph.

export type Tags = Record<string, string | number>;

/** Shared, frozen tags object for single-quantum clusters (their data id is the quantum's). */
export const NO_TAGS: Tags = Object.freeze({}) as Tags;

export class ClusterTable {
  readonly names: string[] = [];
  readonly labels: string[] = [];
  readonly taskLabels: string[][] = [];
  readonly tags: Tags[] = [];
  /** Cluster index of each quantum, -1 while unassigned. */
  readonly clusterOf: Int32Array;

  constructor(quanta: number) {
    this.clusterOf = new Int32Array(quanta).fill(-1);
  }

  get count(): number {
    return this.names.length;
  }

  add(name: string, label: string, taskLabels: string[], tags: Tags): number {
    this.names.push(name);
    this.labels.push(label);
    this.taskLabels.push(taskLabels);
    this.tags.push(tags);
    return this.names.length - 1;
  }
}
