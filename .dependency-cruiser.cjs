// The layer arrows of DESIGN.md's layout table, checked by dependency-cruiser (`npm run lint:layers`, and
// tests/unit/layers.test.ts in `npm test`): workflows -> activities -> (wms, store, lsst) -> core, core knows no
// Temporal, workflows stay deterministic, only wms/ names a workload system, the client reads data via client/services.
// `paths/` (where the data directory and the store are) and `processes/` (child processes in their own group) are
// small neutral modules the outer layers share; both import only core/.
// dependency-cruiser parses TypeScript with swc here (its TypeScript parser wants TypeScript < 7), which does not mark
// `import type`; so "workflows import activities only as types" and "no Node built-ins reach the workflow bundle"
// are checked by scripts/lint-layers.mjs on what esbuild actually bundles from workflows/index.ts.

/** Production layers (tests/, bench/ and scripts/ may reach into any of them). */
const LAYERS = 'core|workflows|activities|wms|store|lsst|workers|client|temporal|paths|processes';

module.exports = {
  forbidden: [
    {
      name: 'core-no-temporal',
      comment: 'core/ is pure domain logic: nothing in it knows Temporal exists (DESIGN.md, layout table)',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '(^|/)node_modules/@temporalio/' },
    },
    {
      name: 'core-only-core',
      comment: 'core/ imports only core/ and small libraries, never an outer layer',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: `^(${LAYERS})/`, pathNot: '^core/' },
    },
    {
      name: 'workflows-no-node-builtins',
      comment: 'workflows are deterministic and run in the sandbox: no Node built-ins (fs, child_process, ...)',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-only-core',
      comment: 'workflows import core/ pure helpers and types, Temporal workflow APIs and each other; no store, WMS, LSST, paths or processes',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: `^(${LAYERS})/`, pathNot: '^(core|workflows|activities)/' },
    },
    {
      name: 'workflows-no-temporal-server-sdk',
      comment: 'workflow code uses @temporalio/workflow and @temporalio/common only (client, worker, activity SDKs are not deterministic)',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '(^|/)node_modules/@temporalio/(?!workflow/|common/)' },
    },
    {
      name: 'only-wms-names-a-workload-system',
      comment: 'outside wms/, nothing imports a workload system folder (wms/htcondor, wms/slurm, ...): go through the registry (wms/index.ts) and the contract (wms/types.ts). wms/local is the embedded executor the local activities drive, so it is exempt',
      severity: 'error',
      from: { path: `^(${LAYERS})/`, pathNot: '^wms/' },
      to: { path: '^wms/(?!local/)[^/]+/' },
    },
    {
      name: 'wms-systems-independent',
      comment: 'one workload system does not import another (wms/slurm does not reach into wms/htcondor); shared code lives in wms/*.ts',
      severity: 'error',
      from: { path: '^wms/([^/]+)/' },
      to: { path: '^wms/[^/]+/', pathNot: '^wms/$1/' },
    },
    {
      name: 'wms-store-lsst-only-core',
      comment: 'wms/, store/ and lsst/ sit above core/ only (plus the neutral paths/ and processes/); they never import activities, workflows, the client or workers',
      severity: 'error',
      from: { path: '^(wms|store|lsst)/' },
      to: { path: `^(${LAYERS})/`, pathNot: '^(core|paths|processes)/|^$1/' },
    },
    {
      name: 'wms-store-lsst-no-temporal',
      comment: 'wms/, store/ and lsst/ know no Temporal (activities adapt them to it)',
      severity: 'error',
      from: { path: '^(wms|store|lsst|paths|processes)/' },
      to: { path: '(^|/)node_modules/@temporalio/' },
    },
    {
      name: 'neutral-modules-only-core',
      comment: 'paths/ and processes/ are small shared modules: they import only core/ (and each other not at all)',
      severity: 'error',
      from: { path: '^(paths|processes)/' },
      to: { path: `^(${LAYERS})/`, pathNot: '^core/|^$1/' },
    },
    {
      name: 'activities-not-above-themselves',
      comment: 'activities are thin adapters over core, store, lsst, wms: they do not import workflows, the client, workers or temporal/ (paths live in paths/)',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^(workflows|client|workers|temporal)/' },
    },
    {
      name: 'client-data-through-services',
      comment: 'client/commands and client/dashboard get data from client/services (the data layer), never from store/ directly',
      severity: 'error',
      from: { path: '^client/', pathNot: '^client/services/' },
      to: { path: '^store/' },
    },
    {
      name: 'client-not-into-runtime',
      comment: 'the client talks to Temporal and the store; it does not import activities, workers or a workload system plugin',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^(activities|workers)/' },
    },
    {
      name: 'store-not-from-workflows',
      comment: 'workflows never touch the store (an activity records)',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^store/' },
    },
    {
      name: 'production-not-into-tests',
      comment: 'production code does not import tests/, bench/ or scripts/',
      severity: 'error',
      from: { path: `^(${LAYERS})/` },
      to: { path: '^(tests|bench|scripts)/' },
    },
    {
      name: 'no-circular-in-layers',
      comment: 'no import cycles in the layers below the client (type-only edges aside): they make load order and bundling fragile. The CLI wiring (client/commandIndex.ts <-> client/commands/*) is left out',
      severity: 'error',
      from: { path: '^(core|workflows|activities|wms|store|lsst|workers|temporal|paths|processes)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves (a typo or a moved file)',
      severity: 'error',
      from: { path: `^(${LAYERS})/` },
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dependency',
      comment: 'production code imports only "dependencies" of package.json (devDependencies are not there at a site)',
      severity: 'error',
      from: { path: `^(${LAYERS})/` },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '^node_modules/@types/' },
    },
    {
      name: 'no-non-package-json',
      comment: 'every npm package imported is declared in package.json (not only present as someone else\'s dependency)',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules' },
    exclude: { path: '^(node_modules|dist|\\.build|\\.venv|\\.venv-bps|\\.tools|\\.data|\\.sandbox)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
