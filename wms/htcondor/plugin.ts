// The HTCondor registry entry: builds the HTCondor workload system (wms/htcondor/index.ts) from a run's saved config
// and the worker's environment: the condor_* command prefix (htcondorCommandPrefix, else TBPS_HTCONDOR_PREFIX), extra
// submit commands (htcondorSubmitCommands) and the group the submit tree is shared with (htcondorShareGroup, else
// TBPS_HTCONDOR_SHARE_GROUP; see share.ts).
import { parsePrefix } from '../command.js';
import type { ExternalWmsPlugin, WmsContext } from '../types.js';
import { HTCondorWms } from './index.js';
import { pingPool } from './ping.js';
import { htcondorSettings } from './settings.js';

function create(ctx: WmsContext): HTCondorWms {
  return new HTCondorWms({ ...htcondorSettings(ctx.config, ctx.env), store: ctx.store, baseEnvironment: ctx.baseEnvironment });
}

export const htcondorPlugin: ExternalWmsPlugin = {
  name: 'htcondor',
  mode: 'external',
  defaultPollSeconds: 5,
  create,
  forPing: (env) => ({ ping: () => pingPool(parsePrefix(env.TBPS_HTCONDOR_PREFIX)) }),
  prepareRun: async (config, request) => (await import('./preparedRun.js')).prepareHtcondorRun(config, request),
};
