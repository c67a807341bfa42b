// The layer arrows hold (scripts/lint-layers.mjs: dependency-cruiser with .dependency-cruiser.cjs, and what esbuild
// bundles from workflows/index.ts), and each check finds its violation in a planted tree with the repository's folder
// names, so a rule that silently matches nothing (a mistyped path) fails here.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { cruiseLayers, workflowBundleLeaks } from '../../scripts/lint-layers.mjs';
import { repoRoot } from '../../paths/index.js';

type Cruise = { modules: number; violations: string[] };
type Bundle = { inputs: string[]; leaks: string[] };

const planted = mkdtempSync(path.join(os.tmpdir(), 'tbps-layers-'));
afterAll(() => rmSync(planted, { recursive: true, force: true }));

/** One file of the planted tree. */
function plant(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(planted, file)), { recursive: true });
  writeFileSync(path.join(planted, file), text);
}

/** A small tree breaking one rule per file (and two files that are fine). */
function plantViolations(): void {
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(planted, 'node_modules'));
  plant('package.json', JSON.stringify({ name: 'planted', type: 'module', dependencies: { '@temporalio/common': '*', '@temporalio/workflow': '*' } }));
  plant('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  plant('core/fine.ts', 'export const fine = 1;\n');
  plant('core/cycleA.ts', "import { b } from './cycleB.js';\nexport const a = () => b;\n");
  plant('core/cycleB.ts', "import { a } from './cycleA.js';\nexport const b = () => a;\n");
  plant('core/temporal.ts', "import { SearchAttributeType } from '@temporalio/common';\nexport const kind = SearchAttributeType.KEYWORD;\n");
  plant('core/outward.ts', "import { registry } from '../wms/index.js';\nexport const outward = registry;\n");
  plant('wms/index.ts', "import { condor } from './htcondor/plugin.js';\nexport const registry = [condor];\n");
  plant('wms/htcondor/plugin.ts', "export const condor = 'htcondor';\n");
  plant('wms/slurm/plugin.ts', "import { condor } from '../htcondor/plugin.js';\nexport const slurm = condor;\n");
  plant('lsst/qgraph.ts', "import { condor } from '../wms/htcondor/plugin.js';\nexport const named = condor;\n");
  plant('store/index.ts', "export interface JobRecord { id: string }\nexport const openStore = () => 1;\n");
  plant('client/commands/report.ts', "import { openStore } from '../../store/index.js';\nexport const report = openStore;\n");
  plant('activities/execute.ts', "import { readFileSync } from 'node:fs';\nexport const runJob = () => readFileSync;\n");
  plant('activities/control.ts', "export const recordRun = () => 1;\n");
  plant(
    'workflows/index.ts',
    [
      "import type * as control from '../activities/control.js';",
      "import { runJob } from '../activities/execute.js';",
      "import { fine } from '../core/fine.js';",
      "import { openStore } from '../store/index.js';",
      "export type Control = typeof control;",
      'export const used = [runJob, fine, openStore];',
      '',
    ].join('\n'),
  );
}

describe('the layer arrows', () => {
  it('hold in the repository (npm run lint:layers)', async () => {
    const { modules, violations } = (await cruiseLayers()) as Cruise;
    expect(modules).toBeGreaterThan(150);
    expect(violations).toEqual([]);
  }, 180_000);

  it('keep activity code, the store, workload systems and Node built-ins out of the workflow bundle', async () => {
    const { inputs, leaks } = (await workflowBundleLeaks()) as Bundle;
    expect(inputs).toContain('workflows/run.ts');
    expect(inputs.filter((file) => file.startsWith('core/')).length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  }, 60_000);

  it('are found broken in a planted tree, one rule per file', async () => {
    plantViolations();
    const { violations } = (await cruiseLayers(planted)) as Cruise;
    expect(violations).toEqual(
      expect.arrayContaining([
        // node_modules is a symlink to the repository's here, so the path goes through it
        expect.stringMatching(/^core-no-temporal: core\/temporal\.ts -> \S*node_modules\/@temporalio\/common\//),
        'core-only-core: core/outward.ts -> wms/index.ts',
        'only-wms-names-a-workload-system: lsst/qgraph.ts -> wms/htcondor/plugin.ts',
        'wms-systems-independent: wms/slurm/plugin.ts -> wms/htcondor/plugin.ts',
        'client-data-through-services: client/commands/report.ts -> store/index.ts',
        'store-not-from-workflows: workflows/index.ts -> store/index.ts',
        'workflows-only-core: workflows/index.ts -> store/index.ts',
        'no-circular-in-layers: core/cycleA.ts -> core/cycleB.ts -> core/cycleA.ts',
      ]),
    );
    // the registry (wms/index.ts) may name its systems, and a core file importing core is fine
    expect(violations.filter((line) => line.includes(': wms/index.ts ->') || line.includes('core/fine.ts ->'))).toEqual([]);

    const { leaks } = (await workflowBundleLeaks(planted)) as Bundle;
    expect(leaks).toEqual([
      'workflow bundle: Node built-in node:fs imported by activities/execute.ts',
      'workflow bundle: activities/execute.ts imported by workflows/index.ts (workflows may import it only with `import type`)',
      'workflow bundle: store/index.ts imported by workflows/index.ts (workflows may import it only with `import type`)',
    ]);
  }, 180_000);
});
