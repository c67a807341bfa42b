// `npm run lint:layers`: checks the layer arrows (DESIGN.md's layout table) and prints one line per violation,
// exit code 1 when there is any. Two checks:
//   cruiseLayers         the rules of .dependency-cruiser.cjs over the production folders (dependency-cruiser);
//   workflowBundleLeaks  what esbuild bundles from workflows/index.ts (type-only imports dropped, as in the worker's
//                        bundle): no file of activities/, store/, wms/, lsst/, ... and no Node built-in may get in.
//                        dependency-cruiser cannot tell `import type` apart with TypeScript 7, this can.
// tests/unit/layers.test.ts runs both in `npm test` and shows that each finds a planted violation.
import { statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The production folders the rules are about (tests/, bench/, scripts/ may reach into any of them). */
export const LAYER_FOLDERS = ['core', 'workflows', 'activities', 'wms', 'store', 'lsst', 'workers', 'client', 'temporal', 'paths', 'processes'];

/** Folders whose code must never enter the workflow bundle, even through core/. */
const NOT_IN_WORKFLOWS = /^(activities|store|wms|lsst|workers|client|temporal|paths|processes)\//;

/**
 * Runs dependency-cruiser with the repository's rules over `root` (the repository, or a planted tree with the same
 * folder names). Returns `{ modules, violations }`, each violation as `rule: from -> to`.
 */
export async function cruiseLayers(root = ROOT, config = path.join(ROOT, '.dependency-cruiser.cjs')) {
  const { cruise } = await import('dependency-cruiser');
  const { default: extractDepcruiseOptions } = await import('dependency-cruiser/config-utl/extract-depcruise-options');
  const { default: extractTSConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
  const options = await extractDepcruiseOptions(config);
  const previous = process.cwd();
  // dependency-cruiser reads paths (rules, package.json, tsconfig) relative to the working directory
  process.chdir(root);
  try {
    const folders = LAYER_FOLDERS.filter((folder) => existsDir(path.join(root, folder)));
    const result = await cruise(folders, { ...options, baseDir: root }, undefined, {
      tsConfig: extractTSConfig(path.join(root, 'tsconfig.json')),
    });
    const summary = result.output.summary;
    const violations = summary.violations.map((v) => {
      const to = v.cycle ? v.cycle.map((step) => step.name ?? step).join(' -> ') : v.to;
      return `${v.rule.name}: ${v.from} -> ${to}`;
    });
    return { modules: summary.totalCruised, violations };
  } finally {
    process.chdir(previous);
  }
}

function existsDir(dir) {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Bundles `root`/workflows/index.ts as the worker does (npm packages left out) and returns `{ inputs, leaks }`: the
 * repository files in the bundle, and one line per file of a forbidden layer or Node built-in that got in, with the
 * file that brought it.
 */
export async function workflowBundleLeaks(root = ROOT) {
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  const leaks = [];
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['workflows/index.ts'],
    bundle: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    plugins: [
      {
        name: 'node-builtins',
        setup(onBuild) {
          onBuild.onResolve({ filter: /.*/ }, (args) => {
            if (!builtins.has(args.path)) return undefined;
            leaks.push(`workflow bundle: Node built-in ${args.path} imported by ${path.relative(root, args.importer)}`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const inputs = result.metafile.inputs;
  for (const [file, input] of Object.entries(inputs)) {
    for (const imported of input.imports) {
      if (!imported.external && NOT_IN_WORKFLOWS.test(imported.path)) {
        leaks.push(`workflow bundle: ${imported.path} imported by ${file} (workflows may import it only with \`import type\`)`);
      }
    }
  }
  return { inputs: Object.keys(inputs), leaks: [...new Set(leaks)].sort() };
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const layers = await cruiseLayers();
  const bundle = await workflowBundleLeaks();
  const problems = [...layers.violations, ...bundle.leaks];
  for (const line of problems) console.log(line);
  console.log(
    `lint:layers: ${problems.length} violations (${layers.modules} modules cruised, ${bundle.inputs.length} files in the workflow bundle)`,
  );
  process.exit(problems.length > 0 ? 1 : 0);
}
