// Builds the `tbps` command into dist/cli.js (esbuild bundle of client/cli.ts, packages left external, one chunk per
// command module so a command loads only what it uses) and
// records the sources it was built from in dist/cli.inputs.json, so bin/tbps.js can tell a stale build and never run
// one. Files that find data next to themselves through `import.meta.url` keep doing so: the plugin rewrites each
// module's `import.meta.url` to that module's own source location, relative to the bundle.
// Run directly (`node scripts/build-cli.mjs`) by setup, or imported by bin/tbps.js when the build is stale.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(ROOT, 'dist');
export const CLI_BUNDLE = path.join(DIST_DIR, 'cli.js');
export const CLI_INPUTS = path.join(DIST_DIR, 'cli.inputs.json');

/** True when the bundle exists and none of the sources it was built from changed (or vanished) since. */
export function cliBuildIsFresh(root = ROOT, distDir = DIST_DIR) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(distDir, 'cli.inputs.json'), 'utf8'));
    statSync(path.join(distDir, 'cli.js'));
  } catch {
    return false;
  }
  if (!Array.isArray(manifest.inputs) || manifest.inputs.length === 0 || typeof manifest.builtAtMs !== 'number') return false;
  for (const rel of manifest.inputs) {
    try {
      if (statSync(path.join(root, rel)).mtimeMs > manifest.builtAtMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** esbuild plugin: `import.meta.url` in a bundled source means that source's own URL, not the bundle's. */
const ownUrlPlugin = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = path.relative(DIST_DIR, args.path).split(path.sep).join('/');
      const own = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', own), loader: 'ts' };
    });
  },
};

/** Chunks of earlier builds, once they are a minute old (a CLI started just before this build may still load them). */
function removeOldChunks(current) {
  for (const name of readdirSync(DIST_DIR)) {
    if (!name.startsWith('chunk-')) continue;
    const file = path.join(DIST_DIR, name);
    if (current.has(file)) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs > 60_000) rmSync(file, { force: true });
    } catch {
      // removed by a concurrent build
    }
  }
}

/** Builds the bundle; the bundle and its manifest are each replaced atomically (parallel CLI starts may race here). */
export async function buildCli() {
  const { build } = await import('esbuild');
  const startedMs = Date.now();
  const result = await build({
    entryPoints: [path.join(ROOT, 'client', 'cli.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    splitting: true,
    write: false,
    metafile: true,
    logLevel: 'error',
    outdir: DIST_DIR,
    entryNames: 'cli',
    // chunks sit next to the entry: the import.meta.url rewrite is relative to dist/
    chunkNames: 'chunk-[hash]',
    plugins: [ownUrlPlugin],
  });
  mkdirSync(DIST_DIR, { recursive: true });
  const unique = `${process.pid}.${Date.now()}`;
  // Chunks (named by content hash) first, the entry last: a CLI starting meanwhile loads a complete set.
  const outputs = [...result.outputFiles].sort((a, b) => Number(a.path === CLI_BUNDLE) - Number(b.path === CLI_BUNDLE));
  for (const file of outputs) {
    const tmp = `${file.path}.${unique}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  const inputs = Object.keys(result.metafile.inputs).map((p) => path.relative(ROOT, path.resolve(ROOT, p)));
  // Sources saved while the build ran count as newer than it: the build time is when it started.
  const tmp = `${CLI_INPUTS}.${unique}.tmp`;
  writeFileSync(tmp, JSON.stringify({ builtAtMs: startedMs, inputs }) + '\n');
  renameSync(tmp, CLI_INPUTS);
  removeOldChunks(new Set(outputs.map((f) => f.path)));
  return { inputs: inputs.length, ms: Date.now() - startedMs };
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const { inputs, ms } = await buildCli();
  console.log(`built ${path.relative(ROOT, CLI_BUNDLE)} from ${inputs} sources in ${ms} ms`);
}
