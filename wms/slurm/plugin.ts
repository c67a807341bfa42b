// The Slurm registry entry: builds the Slurm workload system (wms/slurm/index.ts) from a run's saved config and the
// worker's environment: the command prefix (slurmCommandPrefix, else TBPS_SLURM_PREFIX; e.g. `bash
// scripts/slurm.sh exec` for the test cluster, empty on a site where sbatch is on PATH) and site sbatch options for
// every job (slurmSubmitOptions, a list such as [--account=rubin, --qos=normal]).
import type { BpsConfig } from '../../core/config/index.js';
import { BadInputError } from '../../core/errors.js';
import { parsePrefix } from '../command.js';
import type { ExternalWmsPlugin, WmsContext } from '../types.js';
import { commandEnvironment } from './environment.js';
import { SlurmWms } from './index.js';

export { commandEnvironment } from './environment.js';
import { pingController } from './ping.js';
import { cancelSlurmPilots, listSlurmPilots, submitSlurmPilot } from './pilots.js';

function text(c: BpsConfig, key: string): string {
  return c.has(key) ? String(c.get(key) ?? '') : '';
}

function submitOptions(c: BpsConfig): string[] | undefined {
  if (!c.has('slurmSubmitOptions')) return undefined;
  const raw = c.get('slurmSubmitOptions');
  if (!Array.isArray(raw) || raw.some((o) => typeof o !== 'string' || !o.startsWith('-')))
    throw new BadInputError('expected a list of sbatch options, each starting with - (e.g. [--account=rubin, --qos=normal])', { file: c.fileOf('slurmSubmitOptions'), key: 'slurmSubmitOptions' });
  return raw as string[];
}

function create(ctx: WmsContext): SlurmWms {
  const prefix = text(ctx.config, 'slurmCommandPrefix') || ctx.env.TBPS_SLURM_PREFIX || '';
  return new SlurmWms({
    commandPrefix: parsePrefix(prefix),
    store: ctx.store,
    baseEnvironment: ctx.baseEnvironment,
    commandEnvironment: commandEnvironment(ctx.env),
    extraOptions: submitOptions(ctx.config),
  });
}

export const slurmPlugin: ExternalWmsPlugin = {
  name: 'slurm',
  mode: 'external',
  defaultPollSeconds: 5,
  create,
  configuredIn: (env) => env.TBPS_SLURM_PREFIX !== undefined || env.SLURM_CONF !== undefined,
  forPing: (env) => ({ ping: () => pingController(parsePrefix(env.TBPS_SLURM_PREFIX), commandEnvironment(env)) }),
  submitPilot: submitSlurmPilot,
  cancelPilot: cancelSlurmPilots,
  listPilots: listSlurmPilots,
};
