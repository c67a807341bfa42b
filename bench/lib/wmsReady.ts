// The external workload system a bench needs must answer before anything starts (a stopped pool or controller would
// leave the run waiting for it): the repo's test pool or cluster is started by its script, then pinged through its
// plugin; when it still does not answer the bench exits 2 at once, naming the command to run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../paths/index.js';
import { WMS_PLUGINS } from '../../wms/index.js';
import type { WmsName } from '../../core/submit/wmsNames.js';

/** The script that runs each system's test installation (scripts/<name>.sh) and the one that provisions it. */
const TEST_INSTALLATION: Partial<Record<WmsName, { script: string; setup: string; prefixVariable: string }>> = {
  htcondor: { script: 'htcondor.sh', setup: 'setup-htcondor.sh', prefixVariable: 'TBPS_HTCONDOR_PREFIX' },
  slurm: { script: 'slurm.sh', setup: 'setup-slurm.sh', prefixVariable: 'TBPS_SLURM_PREFIX' },
};

/** The command prefix a bench's orchestrator uses for `wms` (the test installation's, unless the environment sets one). */
export function benchPrefix(wms: WmsName): Record<string, string> {
  const test = TEST_INSTALLATION[wms];
  if (!test) return {};
  return { [test.prefixVariable]: process.env[test.prefixVariable] ?? `bash ${path.join(repoRoot, 'scripts', test.script)} exec` };
}

/** Starts the test installation of `wms` (unless the environment points at a site's) and pings it; exits 2 if down. */
export async function ensureWmsAnswers(bench: string, wms: WmsName): Promise<void> {
  const plugin = WMS_PLUGINS[wms];
  const test = TEST_INSTALLATION[wms];
  if (plugin.mode !== 'external' || !test) return;
  const ownInstallation = process.env[test.prefixVariable] === undefined;
  let startFailure = '';
  if (ownInstallation) {
    const start = spawnSync('bash', [path.join(repoRoot, 'scripts', test.script), 'start'], { encoding: 'utf8' });
    if (start.status !== 0) startFailure = start.stderr.trim().split('\n').at(-1) ?? `exit ${start.status}`;
  }
  const answer = startFailure ? { ok: false, detail: startFailure } : await plugin.forPing({ ...process.env, ...benchPrefix(wms) }).ping();
  if (answer.ok) return;
  const how = ownInstallation
    ? `run 'bash scripts/${test.script} start' (once provisioned by 'bash scripts/${test.setup}' as root)`
    : `check the ${wms} installation that ${test.prefixVariable}='${process.env[test.prefixVariable]}' reaches`;
  console.error(`${bench}: ${wms} does not answer (${answer.detail}): ${how}`);
  process.exit(2);
}
