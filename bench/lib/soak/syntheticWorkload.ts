// The synthetic mode of the soak as a workload: writes the campaign into the cluster's home and estimates its
// jobs from the runs transformed so far (the generator picks a graph of about the asked number of quanta).
import path from 'node:path';
import type { Cluster } from './cluster.js';
import type { SoakWorkload } from './run.js';
import { writeSyntheticCampaign } from './synthetic.js';

export interface SyntheticWorkloadOptions {
  quantaPerGroup: number;
  jobSeconds: number;
  numberOfRetries: number;
  heartbeatTimeout?: number;
}

export function syntheticWorkload(o: SyntheticWorkloadOptions) {
  return (cluster: Cluster): SoakWorkload => {
    const c = writeSyntheticCampaign({ dir: path.join(cluster.home, 'campaign'), name: 'soak', ...o });
    return {
      campaign: c.name,
      specFile: c.specFile,
      executionsFile: c.executionsFile,
      async expectedJobs(store) {
        let perGroup = c.jobsPerGroupGuess;
        for (const runId of await store.campaignRunIds(c.name)) perGroup = Math.max(perGroup, (await store.getRun(runId))?.jobs ?? 0);
        return perGroup * c.groups;
      },
    };
  };
}
