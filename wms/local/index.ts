// The `local` registry entry: the embedded default. Each job is a Temporal activity (activities/execute.ts runJob)
// on the site's task queue, served by executor workers with CPU/memory slots (resources.ts) that run it as a child
// process in its own process group (processes/runProcess.ts, jobGroups.ts, processes/parentDeath.ts). The batch is driven job by job by
// jobBatchWorkflow, so there is nothing to submit or poll.
import type { WmsPlugin } from '../types.js';

export const localPlugin: WmsPlugin = { name: 'local', mode: 'activities' };
