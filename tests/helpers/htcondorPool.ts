// The personal HTCondor pool for integration tests (scripts/setup-htcondor.sh): make sure it runs and shows a slot
// (failing with how to provision it otherwise) and run condor_* commands through its command prefix. Test files
// never stop it (two of them may use it at once): `npm test` (scripts/test.sh) stops a pool it did not find running.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../paths/index.js';
import { parsePrefix } from '../../wms/htcondor/index.js';
import { DEFAULT_SHARE_GROUP, resolveShareGroup } from '../../wms/htcondor/share.js';

const SCRIPT = path.join(repoRoot, 'scripts', 'htcondor.sh');
/** The command prefix tbps uses for the test pool (TBPS_HTCONDOR_PREFIX of the orchestrator worker). */
export const POOL_PREFIX = `bash ${SCRIPT} exec`;

/** Runs a condor_* command in the pool as the submitting user; throws with its stderr on failure. */
export function condor(args: string[]): string {
  const argv = [...parsePrefix(POOL_PREFIX), ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: '/tmp' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Starts the pool unless it runs and waits for a slot; throws, saying how to provision it, when it cannot. */
export function ensurePool(): void {
  const how = "run 'bash scripts/setup-htcondor.sh' (as root) to provision the HTCondor test pool";
  if (!existsSync(path.join(repoRoot, '.sandbox/htcondor/root/usr/sbin/condor_master'))) throw new Error(`no HTCondor chroot: ${how}`);
  // tbps shares submit trees with the pool's user through the group tbps, with the same gid on both sides.
  const host = resolveShareGroup(undefined);
  const inside = resolveShareGroup(undefined, { groupFile: path.join(repoRoot, '.sandbox/htcondor/root/etc/group') });
  if (!host || !inside || host.gid !== inside.gid) throw new Error(`no share group '${DEFAULT_SHARE_GROUP}' with one gid on the host and in the chroot: ${how}`);
  // `start` is idempotent and also redoes missing bind mounts (e.g. the LSST venv's Python, made after the pool started).
  const start = spawnSync('bash', [SCRIPT, 'start'], { encoding: 'utf8' });
  let st = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8' });
  if (st.status !== 0) throw new Error(`the HTCondor pool does not start (${start.stderr.trim()}): ${how}`);
  for (let i = 0; i < 60; i++) {
    st = spawnSync('bash', [SCRIPT, 'exec', 'condor_status', '-af', 'Name'], { encoding: 'utf8' });
    if (st.status === 0 && st.stdout.trim()) return;
    spawnSync('sleep', ['2']);
  }
  throw new Error(`the HTCondor pool shows no slot: ${how}`);
}

/** The cluster id of the current DAG of one unit (`batch_<n>`, `pipetaskInit`, `finalJob`) of a run. */
export function dagId(submitPath: string, unit: string): string {
  const root = path.join(submitPath, 'htcondor', unit);
  return readFileSync(path.join(root, readFileSync(path.join(root, 'current'), 'utf8').trim(), 'wms_id'), 'utf8').trim();
}

/** The cluster ids of a run's batch DAGs, batch 0 first. */
export function batchDagIds(submitPath: string): string[] {
  const out: string[] = [];
  for (let b = 0; existsSync(path.join(submitPath, 'htcondor', `batch_${b}`, 'current')); b++) out.push(dagId(submitPath, `batch_${b}`));
  return out;
}

/** condor_history of the jobs of the given DAGs (run ids repeat across test runs; DAG cluster ids do not). */
export function historyOf<T>(dagIds: string[], attributes: string): T[] {
  let out: T[] = [];
  for (const id of dagIds) out = out.concat(JSON.parse(condor(['condor_history', '-constraint', `DAGManJobId == ${id}`, '-json', '-attributes', attributes]) || '[]') as T[]);
  return out;
}
