// Asks a butler repository for one night's exposures and which of them a campaign's outputs already cover, by
// running lsst/night_exposures.py with the project's LSST venv. Its exit code 2 (bad day_obs, repository,
// collection, query) is bad input; anything else is an error worth retrying.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NightExposures } from '../core/campaign/nightlyData.js';
import { BadInputError } from '../core/errors.js';
import { repoRoot } from '../paths/index.js';
import { lsstPython, requireLsstStack, withLsstPath } from './env.js';

const NIGHT_EXPOSURES_SCRIPT = path.join(repoRoot, 'lsst', 'night_exposures.py');
const run = promisify(execFile);

export interface NightExposuresRequest {
  repo: string;
  /** YYYYMMDD */
  dayObs: string;
  inputCollections: string[];
  datasetType: string;
  /** The step's data query (names the instrument). */
  where?: string;
  /** Prefix of the campaign's output collections. */
  outputPrefix: string;
}

export async function queryNightExposures(request: NightExposuresRequest): Promise<NightExposures> {
  requireLsstStack();
  const argv = [
    NIGHT_EXPOSURES_SCRIPT,
    request.repo,
    '--day-obs',
    request.dayObs,
    '--collections',
    request.inputCollections.join(','),
    '--dataset-type',
    request.datasetType,
    '--where',
    request.where ?? '',
    '--output',
    request.outputPrefix,
  ];
  try {
    const { stdout } = await run(lsstPython(), argv, { env: withLsstPath({ ...process.env }) as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as NightExposures;
  } catch (err) {
    const failure = err as { code?: unknown; stderr?: string };
    if (failure.code === 2) throw new BadInputError((failure.stderr ?? '').trim().split('\n').at(-1) ?? 'night_exposures.py refused its input', { file: request.repo });
    throw err;
  }
}
