// What every service function works on: the store, and (only for campaign data and actions) a Temporal client
// connected on first use. The CLI opens one per command; the dashboard keeps one for its lifetime.
import type { Client } from '@temporalio/client';
import { openStore, type Store } from '../../store/index.js';
import type { ConnectionSettings } from '../../temporal/connection.js';
import { storeLocation } from '../../paths/index.js';

export interface ServiceContext {
  store: Store;
  /** The Temporal client, connected on first call (throws UnreachableServerError when the server is down). */
  temporal(): Promise<{ client: Client; settings: ConnectionSettings }>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Connect to Temporal before opening the store, so a command that needs Temporal writes nothing when it cannot. */
  connectFirst?: boolean;
}

/** The Temporal client module is loaded only when a service needs it (commands reading only the store start faster). */
async function connectClient() {
  const connection = await import('../../temporal/connection.js');
  return connection.connectClient();
}

export async function openServices(dbLocation = storeLocation(), opts: ServiceOptions = {}): Promise<ServiceContext> {
  let connected: Awaited<ReturnType<typeof connectClient>> | undefined = opts.connectFirst ? await connectClient() : undefined;
  let store: Store;
  try {
    store = await openStore(dbLocation);
  } catch (err) {
    await connected?.connection.close();
    throw err;
  }
  let connecting: Promise<Awaited<ReturnType<typeof connectClient>>> | undefined;
  return {
    store,
    async temporal() {
      if (!connected) {
        connecting ??= connectClient();
        try {
          connected = await connecting;
        } finally {
          connecting = undefined;
        }
      }
      return { client: connected.client, settings: connected.settings };
    },
    async close() {
      await store.close();
      await connected?.connection.close();
    },
  };
}

/** Runs fn with a fresh context and closes it afterwards. */
export async function withServices<T>(fn: (ctx: ServiceContext) => Promise<T>, opts: ServiceOptions = {}): Promise<T> {
  const ctx = await openServices(storeLocation(), opts);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
