// The HTCondor plugin's settings of one run, from its config: the command prefix of condor_* commands, extra submit
// lines, and the group the submit tree is shared with. Read the same way by the orchestrator's activities (from the
// run's saved config) and by `tbps prepare` (from the loaded config), so prepared files equal submitted ones.
import type { BpsConfig } from '../../core/config/index.js';
import { parsePrefix } from '../command.js';
import { resolveShareGroup, type ShareGroup } from './share.js';

export interface HTCondorSettings {
  commandPrefix: string[];
  extraSubmit?: string[];
  shareGroup?: ShareGroup;
}

/** `env` gives the fallbacks TBPS_HTCONDOR_PREFIX and TBPS_HTCONDOR_SHARE_GROUP (the process's environment). */
export function htcondorSettings(config: BpsConfig, env: Record<string, string | undefined>): HTCondorSettings {
  const text = (key: string) => (config.has(key) ? String(config.get(key) ?? '') : '');
  const prefix = text('htcondorCommandPrefix') || env.TBPS_HTCONDOR_PREFIX || '';
  const extraSubmit = config.has('htcondorSubmitCommands') ? (config.get('htcondorSubmitCommands') as unknown[]).map(String) : undefined;
  // The group the submit tree is shared with when the pool runs the jobs as another user (never world access).
  const fromConfig = config.has('htcondorShareGroup');
  const shareGroup = resolveShareGroup(fromConfig ? text('htcondorShareGroup') : env.TBPS_HTCONDOR_SHARE_GROUP, {
    key: fromConfig ? 'htcondorShareGroup' : 'TBPS_HTCONDOR_SHARE_GROUP',
  });
  return { commandPrefix: parsePrefix(prefix), extraSubmit, shareGroup };
}
