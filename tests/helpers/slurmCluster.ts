// The one-node Slurm test cluster (scripts/setup-slurm.sh) for integration tests and benches: make sure it runs and
// its node is up (failing with how to provision it otherwise), run Slurm commands through its command prefix, read a
// unit's submission state. Test files never stop it (two of them may use it at once): `npm test` (scripts/test.sh)
// stops a cluster it did not find running.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../paths/index.js';
import { parsePrefix } from '../../wms/command.js';
import { readSubmitted, type UnitState } from '../../wms/slurm/unitState.js';

const SCRIPT = path.join(repoRoot, 'scripts', 'slurm.sh');
/** The command prefix tbps uses for the test cluster (TBPS_SLURM_PREFIX of the orchestrator worker). */
export const SLURM_PREFIX = `bash ${SCRIPT} exec`;
const HOW = "run 'bash scripts/setup-slurm.sh' (as root) to provision the Slurm test cluster";

/** Runs a Slurm command against the test cluster; throws with its stderr on failure. */
export function slurm(args: string[]): string {
  const argv = [...parsePrefix(SLURM_PREFIX), ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: '/tmp' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Starts the cluster unless it runs and waits for its node; throws, saying how to provision it, when it cannot. */
export function ensureCluster(): void {
  if (!existsSync(path.join(repoRoot, '.sandbox/slurm/etc/slurm.conf'))) throw new Error(`no Slurm test cluster: ${HOW}`);
  const start = spawnSync('bash', [SCRIPT, 'start'], { encoding: 'utf8' });
  if (start.status !== 0) throw new Error(`the Slurm test cluster does not start (${start.stderr.trim()}): ${HOW}`);
  const ping = spawnSync('bash', [SCRIPT, 'exec', 'scontrol', 'ping'], { encoding: 'utf8' });
  if (!/is UP/.test(ping.stdout)) throw new Error(`slurmctld does not answer (${ping.stdout.trim()} ${ping.stderr.trim()}): ${HOW}`);
}

/** How the cluster enforces memory ('cgroup' or 'sampling'), as setup found it. */
export function memoryEnforcement(): string {
  return readFileSync(path.join(repoRoot, '.sandbox/slurm/memory-enforcement'), 'utf8').trim();
}

/** The state file of a unit's current submission (`batch_<n>`, `pipetaskInit`, `finalJob`). */
export function unitState(submitPath: string, unit: string): UnitState & { dir: string } {
  const root = path.join(submitPath, 'slurm', unit);
  const dir = path.join(root, readFileSync(path.join(root, 'current'), 'utf8').trim());
  return { ...(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as UnitState), dir };
}

/** The Slurm ids sbatch gave a unit's current submission (first attempts), by node index, from its `submitted` log. */
export function submittedByNode(submitPath: string, unit: string): Map<number, string> {
  return readSubmitted(unitState(submitPath, unit).dir);
}

/** The Slurm ids of a unit's current submission (first attempts). */
export function submittedIds(submitPath: string, unit: string): string[] {
  return [...submittedByNode(submitPath, unit).values()];
}

export interface SlurmJobRow {
  id: string;
  state: string;
  name: string;
}

/** squeue -t all of the given ids (finished jobs stay visible for the cluster's MinJobAge). */
export function queueOf(ids: string[]): SlurmJobRow[] {
  const out: SlurmJobRow[] = [];
  for (let k = 0; k < ids.length; k += 400) {
    const text = slurm(['squeue', '--noheader', '--states=all', `--jobs=${ids.slice(k, k + 400).join(',')}`, '--format=%i|%T|%j']);
    for (const line of text.split('\n').filter(Boolean)) {
      const [id, state, name] = line.trim().split('|');
      out.push({ id, state, name });
    }
  }
  return out;
}
