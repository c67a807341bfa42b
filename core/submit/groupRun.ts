// A campaign group's run, built exactly as `tbps submit` builds a run (BPS layers, pre-flight checks), with the
// step's settings as command-line-level overrides; and a group's retry input from its saved config. Both carry the
// config by reference (path and sha256 of the saved copy in the group's submit directory).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { groupDataQuery, groupRunId, stepOutput, type CampaignSpec, type GroupDef, type StepSpec } from '../campaign/index.js';
import { CAMPAIGN_LIMIT_KEY, CAMPAIGN_PRIORITY_KEY } from '../run/slotPolicy.js';
import { BadInputError } from '../errors.js';
import type { RunInput } from '../run/types.js';
import type { BpsConfig } from '../config/index.js';
import { loadSubmitConfig, preflightGraph } from './config.js';
import { saveRunConfig, savedConfigRef } from './savedConfig.js';

export interface GroupRunRequest {
  campaign: Pick<CampaignSpec, 'name' | 'baseConfig' | 'inCollection' | 'output' | 'project' | 'priority' | 'maxRunningJobs'>;
  step: StepSpec;
  /** Name of the previous step: its output collection is this step's input. */
  previousStep?: string;
  group: GroupDef;
  cwd: string;
  taskQueuePrefix: string;
  operator: string;
}

export interface GroupRun {
  input: RunInput;
  dataQuery?: string;
  payloadName: string;
  computeSite: string;
}

/** The config of one group's run (not saved), as `tbps submit` would build it from the base config plus the step's settings. */
export function groupRunConfig(req: GroupRunRequest): { config: BpsConfig; runId: string; dataQuery?: string } {
  const { campaign, step, group, operator } = req;
  const file = campaign.baseConfig;
  if (!existsSync(file)) throw new BadInputError(`base BPS config '${file}' does not exist`, { key: 'baseConfig' });
  const runId = groupRunId(campaign.name, step.name, group.id);
  const output = stepOutput(campaign, step.name, operator);
  const overrides: Record<string, unknown> = {
    ...(step.overrides ?? {}),
    campaign: campaign.name,
    operator,
    output,
    outputRun: `${output}/${group.id}`,
    uniqProcName: runId,
  };
  if (campaign.project) overrides.project = campaign.project;
  if (campaign.priority !== undefined) overrides[CAMPAIGN_PRIORITY_KEY] = campaign.priority;
  if (campaign.maxRunningJobs !== undefined) overrides[CAMPAIGN_LIMIT_KEY] = campaign.maxRunningJobs;
  if (step.pipelineYaml) overrides.pipelineYaml = step.pipelineYaml;
  if (req.previousStep) overrides.inCollection = stepOutput(campaign, req.previousStep, operator);
  else if (campaign.inCollection) overrides.inCollection = campaign.inCollection;
  // The step's query (or the base config's), ANDed with the group's clause.
  const first = loadSubmitConfig(file, {}, { overrides, cwd: req.cwd });
  const base = step.dataQuery ?? (first.has('dataQuery') ? String(first.get('dataQuery') ?? '') : undefined);
  const dataQuery = groupDataQuery(base, step.split, group);
  const config = dataQuery === undefined ? first : loadSubmitConfig(file, {}, { overrides: { ...overrides, dataQuery }, cwd: req.cwd });
  return { config, runId, dataQuery };
}

/** The RunInput of one group, as `tbps submit` would build it from the base config plus the step's settings. */
export async function prepareGroupRun(req: GroupRunRequest): Promise<GroupRun> {
  const { config, runId, dataQuery } = groupRunConfig(req);
  await preflightGraph(config);
  // The group's config is saved in its submit directory and travels by path and hash, never in history.
  const submitPath = path.resolve(req.cwd, config.getString('submitPath'));
  const input: RunInput = { runId, submitPath, configRef: saveRunConfig(submitPath, config.toJSON()).ref, taskQueuePrefix: req.taskQueuePrefix };
  return { input, dataQuery, payloadName: String(config.get('payloadName') ?? ''), computeSite: config.getString('computeSite') };
}

/** The RunInput of a retry: the group's saved config, restart = true (re-runs only what did not succeed). */
export async function restartGroupRun({ runId, submitPath, taskQueuePrefix }: { runId: string; submitPath: string; taskQueuePrefix: string }): Promise<RunInput> {
  return { runId, submitPath, configRef: savedConfigRef(submitPath, `run '${runId}'`), taskQueuePrefix, restart: true };
}
