// One store connection per worker process, opened on first use (location from TBPS_DB or the data directory).
// An open that fails (a PostgreSQL server not reachable yet) is not kept: the next use tries again.
import { openStore, type Store } from '../store/index.js';
import { storeLocation } from '../paths/index.js';

let store: Promise<Store> | undefined;

export function getStore(): Promise<Store> {
  if (!store) {
    const opening = openStore(storeLocation());
    store = opening;
    opening.catch(() => {
      if (store === opening) store = undefined;
    });
  }
  return store;
}

export async function closeStore(): Promise<void> {
  const current = store;
  store = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}
