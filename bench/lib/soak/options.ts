// Command-line options of `npm run soak`: parsed and checked before anything starts (bad input: one line, exit 2).
export interface SoakCliOptions {
  kills: number;
  seed: number;
  mode: 'synthetic' | 'lsst';
  short: boolean;
  serverRestarts: number;
  quantaPerGroup: number;
  jobSeconds: number;
  numberOfRetries: number;
  heartbeatTimeout?: number;
  executorCpus: number;
  timeoutSeconds: number;
  keep: boolean;
}

export class SoakUsageError extends Error {}

const KNOWN = ['--kills', '--seed', '--mode', '--short', '--server-restarts', '--quanta', '--job-seconds', '--retries', '--heartbeat-timeout', '--executor-cpus', '--timeout', '--keep'];
const FLAGS = new Set(['--short', '--keep']);

function integer(flag: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || n < min) throw new SoakUsageError(`option ${flag}: '${raw}' is not an integer >= ${min}`);
  return n;
}

function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new SoakUsageError(`option ${flag}: '${raw}' is not a positive number`);
  return n;
}

export function parseSoakArgs(argv: string[]): SoakCliOptions {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!KNOWN.includes(a)) throw new SoakUsageError(`unknown option '${a}' (known: ${KNOWN.join(' ')})`);
    if (FLAGS.has(a)) given.set(a, 'true');
    else {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new SoakUsageError(`option ${a}: a value is missing`);
      given.set(a, v);
    }
  }
  const short = given.has('--short');
  const mode = given.get('--mode') ?? 'synthetic';
  if (mode !== 'synthetic' && mode !== 'lsst') throw new SoakUsageError(`option --mode: '${mode}' is not synthetic or lsst`);
  const get = (flag: string) => given.get(flag);
  return {
    kills: get('--kills') !== undefined ? integer('--kills', get('--kills')!, 0) : short ? 4 : 20,
    seed: get('--seed') !== undefined ? integer('--seed', get('--seed')!, 0) : Math.floor(Math.random() * 2 ** 31),
    mode,
    short,
    serverRestarts: get('--server-restarts') !== undefined ? integer('--server-restarts', get('--server-restarts')!, 0) : 1,
    quantaPerGroup: get('--quanta') !== undefined ? integer('--quanta', get('--quanta')!, 1) : short ? 20 : 150,
    jobSeconds: get('--job-seconds') !== undefined ? positive('--job-seconds', get('--job-seconds')!) : 0.3,
    numberOfRetries: get('--retries') !== undefined ? integer('--retries', get('--retries')!, 0) : 3,
    heartbeatTimeout: get('--heartbeat-timeout') !== undefined ? integer('--heartbeat-timeout', get('--heartbeat-timeout')!, 1) : short ? 10 : undefined,
    executorCpus: get('--executor-cpus') !== undefined ? integer('--executor-cpus', get('--executor-cpus')!, 1) : 4,
    timeoutSeconds: get('--timeout') !== undefined ? integer('--timeout', get('--timeout')!, 10) : short ? 300 : 1800,
    keep: given.has('--keep'),
  };
}
