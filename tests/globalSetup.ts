// Starts one real Temporal dev server (in memory, headless) for the whole test run and bundles the workflow
// code once; tests get the address and bundle path through environment variables.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, stopDevServer } from '../temporal/devServer.js';
import { freePort } from '../temporal/ports.js';
import { temporalCli } from '../paths/index.js';
import { writeWorkflowBundle } from '../workers/bundle.js';
import { existsSync } from 'node:fs';


export default async function setup({ provide }: { provide: (k: string, v: string) => void }) {
  if (!existsSync(temporalCli()))
    throw new Error(`Temporal CLI missing at ${temporalCli()}: run 'npm run setup' first (it builds it with go install).`);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tbps-test-temporal-'));
  const port = await freePort();
  const info = await startDevServer({ port, stateDir, dbFile: null, headless: true, fastSqlite: true });
  process.env.TEMPORAL_ADDRESS = info.address;
  const bundle = await writeWorkflowBundle(path.join(stateDir, 'workflow-bundle.js'));
  process.env.TBPS_WORKFLOW_BUNDLE = bundle;
  provide('temporalAddress', info.address);
  provide('workflowBundle', bundle);
  return async () => {
    await stopDevServer({ port, stateDir });
    rmSync(stateDir, { recursive: true, force: true });
  };
}
