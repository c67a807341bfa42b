// One poll, submit or resubmission at a time per unit directory in this worker process: a poll still running when
// the unit is cancelled (the cancel activity polls too) must not decide the same failure twice (two retries).
const tails = new Map<string, Promise<unknown>>();

export async function withUnitLock<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const before = tails.get(dir) ?? Promise.resolve();
  const run = before.then(body, body);
  const tail = run.catch(() => undefined);
  tails.set(dir, tail);
  try {
    return await run;
  } finally {
    if (tails.get(dir) === tail) tails.delete(dir);
  }
}
