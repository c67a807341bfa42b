// Partitioning of dimension clusters (BPS partitionDimensions): the distinct values of the partition dimensions,
// sorted, are cut into consecutive chunks; chunk k (1-based) becomes suffix _00k of every cluster of the section.
//   partitionMaxSize N     at most N partition values per chunk.
//   partitionMaxClusters M chunks = floor(M / clusters) so the section makes at most M clusters in total (values
//                          spread evenly, the first `remainder` chunks one larger); M below the number of clusters is
//                          an error.

import type { BadInputError } from '../errors.js';
import type { ClusterSection } from './settings.js';

function compareKeys(a: string, b: string): number {
  const pa = a.split('==');
  const pb = b.split('==');
  for (let k = 0; k < Math.min(pa.length, pb.length); k++) {
    const na = Number(pa[k]);
    const nb = Number(pb[k]);
    const c = Number.isFinite(na) && Number.isFinite(nb) && pa[k] !== '' && pb[k] !== '' ? na - nb : pa[k] < pb[k] ? -1 : pa[k] > pb[k] ? 1 : 0;
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** Partition id (1-based) for each partition key index. */
export function partitionIds(
  keys: string[],
  clusters: number,
  s: ClusterSection,
  err: (key: string, problem: string) => BadInputError,
): Int32Array {
  let maxSize: number;
  let remainder = 0;
  if (s.partitionMaxClusters !== undefined) {
    if (clusters > s.partitionMaxClusters) {
      throw err(
        `cluster.${s.name}.partitionMaxClusters`,
        `is ${s.partitionMaxClusters} but the cluster dimensions already give ${clusters} clusters; ` +
          `set it to at least ${clusters} (or use partitionMaxSize)`,
      );
    }
    const chunks = Math.floor(s.partitionMaxClusters / clusters);
    maxSize = Math.floor(keys.length / chunks);
    remainder = keys.length % chunks;
  } else {
    maxSize = s.partitionMaxSize!;
  }
  const order = keys.map((_, k) => k).sort((a, b) => compareKeys(keys[a], keys[b]));
  const ids = new Int32Array(keys.length);
  let pid = 0;
  let extra = 0;
  let cap = 0;
  let count = 0;
  let first = true;
  for (const k of order) {
    if (first || count >= cap) {
      first = false;
      pid++;
      count = 0;
      cap = maxSize;
      if (extra < remainder) {
        cap++;
        extra++;
      }
    }
    ids[k] = pid;
    count++;
  }
  return ids;
}
