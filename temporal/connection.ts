// Connection settings for the Temporal frontend, following @temporalio/envconfig conventions
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings, config profiles). Settings that cannot work
// (a missing TLS file, an unknown namespace, a rejected API key) fail as one line naming the variable to fix.
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { checkConnectionEnv, ConnectionSettingsError } from './settingsCheck.js';

export { ConnectionSettingsError } from './settingsCheck.js';

export const DEFAULT_ADDRESS = 'localhost:7233';

export interface ConnectionSettings {
  address: string;
  namespace: string;
  connectionOptions: Record<string, unknown>;
}

/** gRPC status codes the connection errors are told apart by. */
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const UNAUTHENTICATED = 16;

export function connectionSettings(): ConnectionSettings {
  checkConnectionEnv();
  let cfg: ReturnType<typeof loadClientConnectConfig>;
  try {
    cfg = loadClientConnectConfig();
  } catch (err) {
    throw clientConfigError(err);
  }
  const opts = { ...(cfg.connectionOptions ?? {}) } as Record<string, unknown>;
  const address = (opts.address as string | undefined) ?? process.env.TEMPORAL_ADDRESS ?? DEFAULT_ADDRESS;
  return { address, namespace: cfg.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default', connectionOptions: { ...opts, address } };
}

/** Connects a client, failing fast with a clear message when the server is unreachable or refuses the settings. */
export async function connectClient(timeoutMs = 5000): Promise<{ client: Client; connection: Connection; settings: ConnectionSettings }> {
  const settings = connectionSettings();
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...(settings.connectionOptions as object), connectTimeout: timeoutMs });
  } catch (err) {
    throw credentialsError(settings, err) ?? new UnreachableServerError(settings.address, err, tlsHint(settings));
  }
  try {
    await connection.workflowService.describeNamespace({ namespace: settings.namespace });
  } catch (err) {
    await connection.close();
    throw namespaceError(settings, err) ?? credentialsError(settings, err) ?? err;
  }
  return { client: new Client({ connection, namespace: settings.namespace }), connection, settings };
}

export class UnreachableServerError extends Error {
  constructor(address: string, cause: unknown, hint = '') {
    super(
      `Temporal server not reachable at ${address} (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}). ` +
        `Start the embedded one with 'npx tbps server start', or set TEMPORAL_ADDRESS to your cluster.${hint}`,
    );
    this.name = 'UnreachableServerError';
  }
}

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

function details(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const d = (e as { details?: unknown }).details;
    if (typeof d === 'string' && d) return d.split('\n')[0];
  }
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

function namespaceError(settings: ConnectionSettings, err: unknown): Error | undefined {
  if (grpcCode(err) !== NOT_FOUND) return undefined;
  const fromEnv = process.env.TEMPORAL_NAMESPACE !== undefined;
  const problem = `namespace '${settings.namespace}' does not exist on the Temporal server at ${settings.address}`;
  const fix = fromEnv
    ? `set TEMPORAL_NAMESPACE to an existing namespace (unset: 'default'), or create it (temporal operator namespace create -n ${settings.namespace})`
    : `set TEMPORAL_NAMESPACE to an existing namespace`;
  return new ConnectionSettingsError('TEMPORAL_NAMESPACE', `${problem}; ${fix}`);
}

function credentialsError(settings: ConnectionSettings, err: unknown): Error | undefined {
  const code = grpcCode(err);
  if (code !== UNAUTHENTICATED && code !== PERMISSION_DENIED) return undefined;
  const variable =
    process.env.TEMPORAL_API_KEY !== undefined
      ? 'TEMPORAL_API_KEY'
      : process.env.TEMPORAL_TLS_CLIENT_CERT_PATH !== undefined
        ? 'TEMPORAL_TLS_CLIENT_CERT_PATH'
        : 'TEMPORAL_API_KEY';
  const verdict = code === UNAUTHENTICATED ? 'not accepted' : 'not allowed';
  return new ConnectionSettingsError(
    variable,
    `the Temporal server at ${settings.address} answered that the credentials are ${verdict} for namespace '${settings.namespace}' (${details(err)}); check ${variable} and TEMPORAL_NAMESPACE`,
  );
}

function tlsHint(settings: ConnectionSettings): string {
  if (!settings.connectionOptions.tls) return '';
  const why = process.env.TEMPORAL_API_KEY !== undefined && process.env.TEMPORAL_TLS === undefined ? ' (TEMPORAL_API_KEY turns it on)' : '';
  return ` TLS is on${why}; for a plain-text server (as the embedded one) set TEMPORAL_TLS=false.`;
}

/** Errors of @temporalio/envconfig (config file, profile, TLS files named in a profile) as one line naming the setting. */
function clientConfigError(err: unknown): ConnectionSettingsError {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const file = process.env.TEMPORAL_CONFIG_FILE ?? path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'temporalio', 'temporal.toml');
  const profile = /Profile '(.*)' not found/.exec(message);
  if (profile) return new ConnectionSettingsError('TEMPORAL_PROFILE', `profile '${profile[1]}' is not in the Temporal config file ${file}; name a profile it has, or unset TEMPORAL_PROFILE`);
  return new ConnectionSettingsError('TEMPORAL_CONFIG_FILE', `the Temporal config file ${file} cannot be used: ${message}`);
}
