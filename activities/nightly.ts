// The nightly campaign of one night (for nightlyWorkflow's nightlyPlan activity): from the template's list of data
// nights (synthetic campaigns), or from the butler repository its first step reads: the night's exposures that the
// campaign's output collections do not cover yet, split into groups. A night with nothing new is a note.
import { loadCampaignSpec } from '../core/campaign/load.js';
import {
  groupValues,
  newExposures,
  nightHasData,
  nightlyCampaign,
  stepOutput,
  withNightData,
  type CampaignSpec,
  type NightWindow,
} from '../core/campaign/index.js';
import { loadSubmitConfig } from '../core/submit/config.js';
import { queryNightExposures } from '../lsst/nightExposures.js';

export interface NightPlan {
  spec?: CampaignSpec;
  note: string;
}

/** Where the night's data is looked up: the first step's butler repository and input collections, if it has one. */
function butlerSource(spec: CampaignSpec, cwd: string) {
  const step = spec.steps[0];
  const overrides: Record<string, unknown> = { ...(step.overrides ?? {}) };
  if (spec.inCollection) overrides.inCollection = spec.inCollection;
  if (step.pipelineYaml) overrides.pipelineYaml = step.pipelineYaml;
  const config = loadSubmitConfig(spec.baseConfig, {}, { overrides, cwd });
  const synthetic = ['syntheticGraph', 'qgraphFile'].some((key) => config.has(key) && config.get(key) !== '' && config.get(key) !== null);
  const repo = config.has('butlerConfig') ? String(config.get('butlerConfig') ?? '') : '';
  if (synthetic || !repo) return undefined;
  const inputs = String(config.get('inCollection') ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const where = step.dataQuery ?? (config.has('dataQuery') ? String(config.get('dataQuery') ?? '') : '');
  return { repo, inputs, where };
}

export async function nightPlan({ templateFile, window, cwd, operator }: { templateFile: string; window: NightWindow; cwd?: string; operator?: string }): Promise<NightPlan> {
  const template = loadCampaignSpec(templateFile);
  const listed = nightHasData(template, window);
  if (listed === false) return { note: `no data for night ${window.night} (not in nightly.dataNights of ${templateFile})` };
  const spec = nightlyCampaign(template, window);
  if (listed) return { spec, note: `night ${window.night} has data` };
  const source = butlerSource(spec, cwd ?? process.cwd());
  if (!source) return { spec, note: `night ${window.night}: data not checked (no nightly.dataNights and no butler repository in the first step)` };
  const output = stepOutput(spec, '', operator ?? spec.operator ?? 'unknown').replace(/\/$/, '');
  const answer = await queryNightExposures({
    repo: source.repo,
    dayObs: window.dayObs,
    inputCollections: source.inputs,
    datasetType: template.nightly?.datasetType ?? 'raw',
    where: source.where,
    outputPrefix: output,
  });
  const fresh = newExposures(answer);
  const where = `day_obs ${window.dayObs} in ${source.inputs.join(',')}`;
  if (answer.exposures.length === 0) return { note: `night ${window.night}: no exposures (${where}); nothing to start` };
  if (fresh.length === 0)
    return { note: `night ${window.night}: nothing new: all ${answer.exposures.length} exposures (${where}) are covered by ${output}` };
  const values = groupValues(fresh, template.nightly?.groupBy ?? 'exposure');
  const night = withNightData(spec, values);
  const covered = answer.exposures.length - fresh.length;
  return {
    spec: night,
    note: `night ${window.night}: ${fresh.length} new exposure(s) ${fresh.map((e) => e.exposure).join(', ')}${covered ? ` (${covered} already covered by ${output})` : ''}`,
  };
}
