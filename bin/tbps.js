#!/usr/bin/env node
// The `tbps` command. Runs the build in dist/cli.js (made by setup; rebuilt here first when any source it was built
// from changed, so a stale build never runs). TBPS_FROM_SOURCE=1, or a build that cannot be made, runs the TypeScript
// sources through tsx instead (slower start). See scripts/build.mjs.
import { runEntry } from '../scripts/build.mjs';

await runEntry('cli');
