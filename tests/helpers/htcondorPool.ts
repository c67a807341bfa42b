// The personal HTCondor pool for integration tests (scripts/setup-htcondor.sh): make sure it runs and shows a slot
// (failing with how to provision it otherwise) and run condor_* commands through its command prefix. Test files
// never stop it (two of them may use it at once): `npm test` (scripts/test.sh) stops a pool it did not find running.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../temporal/paths.js';
import { parsePrefix } from '../../wms/htcondor/index.js';

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
  let st = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8' });
  if (st.status !== 0) {
    const start = spawnSync('bash', [SCRIPT, 'start'], { encoding: 'utf8' });
    if (start.status !== 0) throw new Error(`the HTCondor pool does not start (${start.stderr.trim()}): ${how}`);
  }
  for (let i = 0; i < 60; i++) {
    st = spawnSync('bash', [SCRIPT, 'exec', 'condor_status', '-af', 'Name'], { encoding: 'utf8' });
    if (st.status === 0 && st.stdout.trim()) return;
    spawnSync('sleep', ['2']);
  }
  throw new Error(`the HTCondor pool shows no slot: ${how}`);
}
