// Campaign activities (orchestrator queue), thin adapters: a group's RunInput (core/submit/groupRun.ts, built as
// `tbps submit` builds a run), a group's retry input (its submit directory from the store), and a nightly template.
// The workflow never touches files.
import type { CampaignSpec, NightWindow } from '../core/campaign/index.js';
import { nightPlan } from './nightly.js';
import type { RunInput } from '../core/run/types.js';
import * as groupRun from '../core/submit/groupRun.js';
import { BadInputError } from '../core/errors.js';
import { failOnBadInput } from './inputErrors.js';
import { getStore } from './storeHandle.js';

/** A group's RunInput; bad input (a missing base config, a bad value) fails at once, not after retries. */
export async function prepareGroupRun(req: groupRun.GroupRunRequest): Promise<groupRun.GroupRun> {
  return failOnBadInput(() => groupRun.prepareGroupRun(req));
}

/**
 * A failed group's retry input; a saved config that is gone fails at once. The submit directory comes from the
 * workflow when its state still has it (campaigns started before the compact state), else from the run's record.
 */
export async function restartGroupRun(args: { runId: string; submitPath?: string; taskQueuePrefix: string }): Promise<RunInput> {
  return failOnBadInput(async () => {
    const submitPath = args.submitPath ?? (await (await getStore()).getRun(args.runId))?.submitPath;
    if (!submitPath)
      throw new BadInputError(`group run '${args.runId}' was never recorded (its run did not start), so there is nothing to restart; skip the group instead`);
    return groupRun.restartGroupRun({ ...args, submitPath });
  });
}

/** A nightly template for one night: the campaign to start, or a note why there is none. */
export async function nightlyPlan(args: { templateFile: string; window: NightWindow; cwd?: string; operator?: string }): Promise<{ spec?: CampaignSpec; note: string }> {
  return failOnBadInput(() => nightPlan(args));
}
