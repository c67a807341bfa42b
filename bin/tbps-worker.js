#!/usr/bin/env node
// A tbps worker process: `tbps-worker.js orchestrator` or `tbps-worker.js executor [SITE]`. Runs the worker's build
// in dist/ like bin/tbps.js runs the CLI's (rebuilt first when stale; TBPS_FROM_SOURCE=1 runs the TypeScript sources
// through tsx). The worker is this process itself, so its pid is the worker's, and it sees the arguments after the
// kind as if started directly (`node --import tsx workers/executor.ts SITE`).
import { ENTRIES, runEntry } from '../scripts/build.mjs';

const kinds = Object.keys(ENTRIES).filter((name) => name !== 'cli');
const kind = process.argv[2];
if (!kinds.includes(kind)) {
  console.error(`tbps-worker: argument 1: unknown worker kind '${kind ?? ''}'; expected one of: ${kinds.join(', ')}`);
  process.exit(2);
}
process.argv.splice(2, 1);
await runEntry(kind);
