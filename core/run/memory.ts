// Memory escalation across retries, as BPS does it: each attempt asks for
// min(requestMemory * memoryMultiplier^(attempt-1), memoryLimit) MiB.
export function memoryForAttempt(
  job: { requestMemory: number; memoryMultiplier: number; memoryLimit?: number; requestMemoryMax?: number },
  attempt: number,
): number {
  const mult = job.memoryMultiplier > 0 ? job.memoryMultiplier : 1;
  const raw = job.requestMemory * Math.pow(mult, Math.max(0, attempt - 1));
  const cap = job.memoryLimit ?? job.requestMemoryMax ?? Number.POSITIVE_INFINITY;
  return Math.round(Math.min(raw, cap));
}
