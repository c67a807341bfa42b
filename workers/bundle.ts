// Bundles the workflow code once (webpack via the Temporal SDK) so workers start fast: `tsx workers/bundle.ts OUT`.
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { writeFileUnder } from '../core/files/confined.js';
import { repoRoot } from '../paths/index.js';

export const workflowsPath = path.join(repoRoot, 'workflows', 'index.ts');

export async function writeWorkflowBundle(out: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  writeFileUnder(path.dirname(out), out, code);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(repoRoot, 'workers', 'bundle.ts')) {
  const out = process.argv[2] ?? path.join(repoRoot, '.build', 'workflow-bundle.js');
  writeWorkflowBundle(out).then((p) => console.log(`workflow bundle written to ${p}`));
}
