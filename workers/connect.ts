// Worker-side Temporal connection (NativeConnection) from the same settings the client uses.
import { NativeConnection } from '@temporalio/worker';
import { connectionSettings } from '../temporal/connection.js';

export async function connectWorker(): Promise<{ connection: NativeConnection; namespace: string; prefix: string }> {
  const s = connectionSettings();
  const connection = await NativeConnection.connect(s.connectionOptions as Parameters<typeof NativeConnection.connect>[0]);
  return { connection, namespace: s.namespace, prefix: process.env.TBPS_TASK_QUEUE ?? 'tbps' };
}

/** Stops the worker gracefully on SIGINT/SIGTERM. */
export function shutdownOnSignals(shutdown: () => void): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, shutdown);
}
