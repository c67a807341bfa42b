// One store connection per worker process, opened on first use (location from TBPS_DB or the data directory).
import { openStore, type Store } from '../store/index.js';
import { storeLocation } from '../temporal/paths.js';

let store: Promise<Store> | undefined;

export function getStore(): Promise<Store> {
  store ??= openStore(storeLocation());
  return store;
}

export async function closeStore(): Promise<void> {
  if (store) await (await store).close();
  store = undefined;
}
