// Dataset counts per type in a butler collection (lsst/count_datasets.py through the LSST venv), for the LSST tiers'
// comparisons of a tbps run's outputs with a plain `pipetask run`.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { lsstPython, withLsstPath } from '../../lsst/env.js';
import { repoRoot } from '../../paths/index.js';

/** Datasets per dataset type in `collection` of the repository `repo` (the script's last output line). */
export function datasetCounts(repo: string, collection: string): Record<string, number> {
  const env = withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;
  const out = execFileSync(lsstPython(), [path.join(repoRoot, 'lsst', 'count_datasets.py'), repo, collection], { env, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
}
