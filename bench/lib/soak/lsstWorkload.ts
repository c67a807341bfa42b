// placeholder
import type { Cluster } from './cluster.js';
import type { SoakWorkload } from './run.js';
export function lsstWorkload() {
  return (_cluster: Cluster): SoakWorkload => {
    throw new Error('lsst mode: not yet');
  };
}
