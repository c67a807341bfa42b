#!/usr/bin/env node
// The `tbps` command. Runs the build in dist/cli.js (made by setup; rebuilt here first when any source it was built
// from changed, so a stale build never runs). TBPS_FROM_SOURCE=1, or a build that cannot be made, runs the TypeScript
// sources through tsx instead (slower start).
import { buildCli, cliBuildIsFresh, CLI_BUNDLE } from '../scripts/build-cli.mjs';
import { pathToFileURL } from 'node:url';

async function loadBuild() {
  if (!cliBuildIsFresh()) await buildCli();
  return pathToFileURL(CLI_BUNDLE).href;
}

let entry = null;
if (process.env.TBPS_FROM_SOURCE !== '1') {
  try {
    entry = await loadBuild();
  } catch {
    entry = null;
  }
}
if (entry) {
  await import(entry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../client/cli.ts');
}
