// Checks the Temporal connection settings read from the environment (the @temporalio/envconfig variables) before
// a connection is tried, so a typo, a missing TLS file or a broken API key is one line naming the variable and what
// would fix it, instead of a raw library error or a connect timeout.
import { readFileSync, statSync } from 'node:fs';

/** A connection setting that cannot work; the CLI shows it as one line with exit code 2. */
export class ConnectionSettingsError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConnectionSettingsError';
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

const BOOLEANS = ['true', 'false', '1', '0'];

const TLS_FILES: Array<{ path: string; data: string; what: string }> = [
  { path: 'TEMPORAL_TLS_CLIENT_CERT_PATH', data: 'TEMPORAL_TLS_CLIENT_CERT_DATA', what: 'client certificate' },
  { path: 'TEMPORAL_TLS_CLIENT_KEY_PATH', data: 'TEMPORAL_TLS_CLIENT_KEY_DATA', what: 'client private key' },
  { path: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', data: 'TEMPORAL_TLS_SERVER_CA_CERT_DATA', what: 'server CA certificate' },
];

/** Throws ConnectionSettingsError for the first environment setting that cannot work. Reads the TLS files it names. */
export function checkConnectionEnv(env: Env = process.env): void {
  checkAddress(env.TEMPORAL_ADDRESS);
  checkNamespace(env.TEMPORAL_NAMESPACE);
  checkApiKey(env.TEMPORAL_API_KEY);
  for (const name of ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION']) {
    const v = env[name];
    if (v !== undefined && !BOOLEANS.includes(v)) throw new ConnectionSettingsError(name, `'${v}' is not one of ${BOOLEANS.join(', ')}`);
  }
  for (const f of TLS_FILES) {
    const file = env[f.path];
    if (file !== undefined && env[f.data] !== undefined)
      throw new ConnectionSettingsError(f.path, `both ${f.path} and ${f.data} are set; give the ${f.what} one way only`);
    if (file !== undefined) checkPemFile(f.path, file, f.what);
    else if (env[f.data] !== undefined && !env[f.data]!.includes('-----BEGIN '))
      throw new ConnectionSettingsError(f.data, `does not hold a PEM ${f.what} (no '-----BEGIN ' line)`);
  }
  const cert = env.TEMPORAL_TLS_CLIENT_CERT_PATH ?? env.TEMPORAL_TLS_CLIENT_CERT_DATA;
  const key = env.TEMPORAL_TLS_CLIENT_KEY_PATH ?? env.TEMPORAL_TLS_CLIENT_KEY_DATA;
  if (cert !== undefined && key === undefined)
    throw new ConnectionSettingsError('TEMPORAL_TLS_CLIENT_KEY_PATH', 'not set, but a client certificate is (TEMPORAL_TLS_CLIENT_CERT_PATH); mutual TLS needs both');
  if (key !== undefined && cert === undefined)
    throw new ConnectionSettingsError('TEMPORAL_TLS_CLIENT_CERT_PATH', 'not set, but a client key is (TEMPORAL_TLS_CLIENT_KEY_PATH); mutual TLS needs both');
}

function checkAddress(address: string | undefined): void {
  if (address === undefined) return;
  const example = "host:port, e.g. 'localhost:7233' or 'my-ns.a1b2c.tmprl.cloud:7233'";
  if (address.includes('://')) throw new ConnectionSettingsError('TEMPORAL_ADDRESS', `'${address}' has a scheme; give ${example}`);
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d+))?$/.exec(address);
  if (!m) throw new ConnectionSettingsError('TEMPORAL_ADDRESS', `'${printable(address)}' is not ${example}`);
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))
    throw new ConnectionSettingsError('TEMPORAL_ADDRESS', `port ${m[2]} is out of range 1-65535; give ${example}`);
}

function checkNamespace(namespace: string | undefined): void {
  if (namespace === undefined) return;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(namespace))
    throw new ConnectionSettingsError('TEMPORAL_NAMESPACE', `'${printable(namespace)}' is not a namespace name (letters, digits, '.', '_', '-'); unset it for 'default'`);
}

function checkApiKey(key: string | undefined): void {
  if (key === undefined) return;
  if (key === '') throw new ConnectionSettingsError('TEMPORAL_API_KEY', 'is set but empty; give the key, or unset it to connect without one');
  // an HTTP header value: printable ASCII, and a key never holds spaces (a stray newline from `$(cat file)` is the usual cause)
  if (!/^[\x21-\x7e]+$/.test(key))
    throw new ConnectionSettingsError('TEMPORAL_API_KEY', 'holds whitespace, control or non-ASCII characters (a trailing newline?); give the key exactly as issued');
}

function checkPemFile(variable: string, file: string, what: string): void {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new ConnectionSettingsError(variable, `'${file}' is not a file; give the path of the ${what} (PEM)`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConnectionSettingsError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${code ?? String(err)})`;
    throw new ConnectionSettingsError(variable, `'${file}' ${why}; give the path of the ${what} (PEM), or unset ${variable}`);
  }
  if (!text.includes('-----BEGIN ')) throw new ConnectionSettingsError(variable, `'${file}' is not a PEM ${what} (no '-----BEGIN ' line)`);
}

function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
