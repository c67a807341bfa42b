// Task-queue names: one orchestrator queue and one executor queue per compute site.
export function orchestratorQueue(prefix: string): string {
  return prefix;
}

export function siteQueue(prefix: string, site: string): string {
  return `${prefix}-site-${site}`;
}

export function runWorkflowId(runId: string): string {
  return `run/${runId}`;
}

export function batchWorkflowId(runId: string, batch: number): string {
  return `run/${runId}/batch/${batch}`;
}

/** A job outside the batches (pipetaskInit, finalJob) run by an external WMS as a unit of its own. */
export function jobWorkflowId(runId: string, job: string): string {
  return `run/${runId}/job/${job}`;
}
