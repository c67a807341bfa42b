// The HTCondor registry entry: builds the HTCondor workload system (wms/htcondor/index.ts) from a run's saved config
// and the worker's environment: the condor_* command prefix (htcondorCommandPrefix, else TBPS_HTCONDOR_PREFIX), extra
// submit commands (htcondorSubmitCommands) and the group the submit tree is shared with (htcondorShareGroup, else
// TBPS_HTCONDOR_SHARE_GROUP; see share.ts).
import type { BpsConfig } from '../../core/config/index.js';
import { parsePrefix } from '../command.js';
import type { ExternalWmsPlugin, WmsContext } from '../types.js';
import { HTCondorWms } from './index.js';
import { pingPool } from './ping.js';
import { resolveShareGroup } from './share.js';

function text(c: BpsConfig, key: string): string {
  return c.has(key) ? String(c.get(key) ?? '') : '';
}

function create(ctx: WmsContext): HTCondorWms {
  const c = ctx.config;
  const prefix = text(c, 'htcondorCommandPrefix') || ctx.env.TBPS_HTCONDOR_PREFIX || '';
  const extra = c.has('htcondorSubmitCommands') ? (c.get('htcondorSubmitCommands') as unknown[]).map(String) : undefined;
  // The group the submit tree is shared with when the pool runs the jobs as another user (never world access).
  const fromConfig = c.has('htcondorShareGroup');
  const shareGroup = resolveShareGroup(fromConfig ? text(c, 'htcondorShareGroup') : ctx.env.TBPS_HTCONDOR_SHARE_GROUP, {
    key: fromConfig ? 'htcondorShareGroup' : 'TBPS_HTCONDOR_SHARE_GROUP',
  });
  return new HTCondorWms({ commandPrefix: parsePrefix(prefix), store: ctx.store, extraSubmit: extra, baseEnvironment: ctx.baseEnvironment, shareGroup });
}

export const htcondorPlugin: ExternalWmsPlugin = {
  name: 'htcondor',
  mode: 'external',
  defaultPollSeconds: 5,
  create,
  forPing: (env) => ({ ping: () => pingPool(parsePrefix(env.TBPS_HTCONDOR_PREFIX)) }),
};
