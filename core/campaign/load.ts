// Reads a campaign spec YAML (the only part of core/campaign that touches files): YAML errors and schema errors
// become one BadInputError naming the file and key; baseConfig is resolved relative to the campaign file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readYamlMapping } from '../config/index.js';
import { BadInputError } from '../errors.js';
import { parseCampaignSpec, type CampaignSpec } from './spec.js';

export function loadCampaignSpec(file: string): CampaignSpec {
  const abs = path.resolve(file);
  const raw = readYamlMapping(file, abs);
  if (!raw) throw new BadInputError('the campaign file is empty; it needs name, baseConfig and steps', { file });
  const spec = parseCampaignSpec(raw, file);
  const base = path.resolve(path.dirname(abs), spec.baseConfig);
  if (!existsSync(base)) throw new BadInputError(`base BPS config '${base}' does not exist`, { file, key: 'baseConfig' });
  return { ...spec, baseConfig: base };
}
