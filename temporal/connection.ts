// Connection settings for the Temporal frontend, following @temporalio/envconfig conventions
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings, config profiles).
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

export const DEFAULT_ADDRESS = 'localhost:7233';

export interface ConnectionSettings {
  address: string;
  namespace: string;
  connectionOptions: Record<string, unknown>;
}

export function connectionSettings(): ConnectionSettings {
  const cfg = loadClientConnectConfig();
  const opts = { ...(cfg.connectionOptions ?? {}) } as Record<string, unknown>;
  const address = (opts.address as string | undefined) ?? process.env.TEMPORAL_ADDRESS ?? DEFAULT_ADDRESS;
  return { address, namespace: cfg.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default', connectionOptions: { ...opts, address } };
}

/** Connects a client, failing fast with a clear message when the server is unreachable. */
export async function connectClient(timeoutMs = 5000): Promise<{ client: Client; connection: Connection; settings: ConnectionSettings }> {
  const settings = connectionSettings();
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...(settings.connectionOptions as object), connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
  } catch (err) {
    throw new UnreachableServerError(settings.address, err);
  }
  return { client: new Client({ connection, namespace: settings.namespace }), connection, settings };
}

export class UnreachableServerError extends Error {
  constructor(address: string, cause: unknown) {
    super(
      `Temporal server not reachable at ${address} (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}). ` +
        `Start the embedded one with 'npx tbps server start', or set TEMPORAL_ADDRESS to your cluster.`,
    );
    this.name = 'UnreachableServerError';
  }
}
