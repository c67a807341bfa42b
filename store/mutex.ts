// In-process async mutexes keyed by name (e.g. a database file path): serialises writers that share a file
// inside one Node process, where a blocking SQLite busy-wait would otherwise stall the event loop.

const tails = new Map<string, Promise<void>>();

/** Runs fn while holding the mutex for key; waiters run in arrival order. */
export async function withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = prev.then(() => mine);
  tails.set(key, tail);
  await prev;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
