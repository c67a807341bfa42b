// Builds tbps's processes into dist/: the `tbps` command (dist/cli.js from client/cli.ts) and the two workers
// (dist/orchestrator.js, dist/executor.js from workers/*.ts), in one esbuild build with packages left external and
// shared code in chunks, one chunk per command module so a command loads only what it uses. It records the sources
// the build was made from in dist/build.inputs.json, so the launchers (bin/tbps.js, bin/tbps-worker.js) can tell a
// stale build and never run one: they rebuild first, or run the TypeScript sources through tsx when
// TBPS_FROM_SOURCE=1 or the build cannot be made. Files that find data next to themselves through `import.meta.url`
// keep doing so: the plugin rewrites each module's `import.meta.url` to that module's own source location, relative
// to the bundle. The Temporal workflow bundle is not made here (the SDK bundles it: workers/bundle.ts).
// Run directly (`node scripts/build.mjs`) by setup, or imported by the launchers when the build is stale.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(ROOT, 'dist');
export const BUILD_INPUTS = path.join(DIST_DIR, 'build.inputs.json');

/** The built programs: name in dist/ -> TypeScript source (relative to the repo root). */
export const ENTRIES = {
  cli: 'client/cli.ts',
  orchestrator: 'workers/orchestrator.ts',
  executor: 'workers/executor.ts',
};

/** True when every entry's bundle exists and none of the sources the build was made from changed (or vanished) since. */
export function buildIsFresh(root = ROOT, distDir = DIST_DIR) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(distDir, 'build.inputs.json'), 'utf8'));
    for (const name of Object.keys(ENTRIES)) statSync(path.join(distDir, `${name}.js`));
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

/**
 * Chunks of earlier builds, once they are a day old: a process started before this build may still load them
 * lazily (a CLI verb's module, or the dashboard's Temporal connection on its first request). Workers load all their
 * chunks at start (their code has no dynamic imports).
 */
const OLD_CHUNK_MS = 24 * 3600_000;

function removeOldChunks(current) {
  for (const name of readdirSync(DIST_DIR)) {
    if (!name.startsWith('chunk-')) continue;
    const file = path.join(DIST_DIR, name);
    if (current.has(file)) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs > OLD_CHUNK_MS) rmSync(file, { force: true });
    } catch {
      // removed by a concurrent build
    }
  }
}

/** Builds every entry; each output and the manifest are replaced atomically (parallel starts may race here). */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const startedMs = Date.now();
  const result = await esbuild({
    entryPoints: Object.entries(ENTRIES).map(([out, source]) => ({ in: path.join(ROOT, source), out })),
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
    // chunks sit next to the entries: the import.meta.url rewrite is relative to dist/
    chunkNames: 'chunk-[hash]',
    plugins: [ownUrlPlugin],
  });
  mkdirSync(DIST_DIR, { recursive: true });
  const unique = `${process.pid}.${Date.now()}`;
  // Chunks (named by content hash) first, the entries last: a process starting meanwhile loads a complete set.
  const isEntry = (file) => !path.basename(file.path).startsWith('chunk-');
  const outputs = [...result.outputFiles].sort((a, b) => Number(isEntry(a)) - Number(isEntry(b)));
  for (const file of outputs) {
    const tmp = `${file.path}.${unique}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  const inputs = Object.keys(result.metafile.inputs).map((p) => path.relative(ROOT, path.resolve(ROOT, p)));
  // Sources saved while the build ran count as newer than it: the build time is when it started.
  const tmp = `${BUILD_INPUTS}.${unique}.tmp`;
  writeFileSync(tmp, JSON.stringify({ builtAtMs: startedMs, inputs }) + '\n');
  renameSync(tmp, BUILD_INPUTS);
  removeOldChunks(new Set(outputs.map((f) => f.path)));
  return { inputs: inputs.length, ms: Date.now() - startedMs };
}

/**
 * Starts one entry in this process: its fresh build (rebuilt first when stale), or its TypeScript source through
 * tsx when TBPS_FROM_SOURCE=1 or the build cannot be made. A stale build is never run.
 */
export async function runEntry(name) {
  const source = ENTRIES[name];
  if (!source) throw new Error(`unknown entry '${name}' (known: ${Object.keys(ENTRIES).join(', ')})`);
  if (process.env.TBPS_FROM_SOURCE !== '1') {
    let ready = buildIsFresh();
    if (!ready) {
      try {
        await build();
        ready = true;
      } catch (err) {
        process.stderr.write(`tbps: could not build dist/ (${String(err).split('\n')[0]}); running the sources through tsx\n`);
      }
    }
    if (ready) return import(pathToFileURL(path.join(DIST_DIR, `${name}.js`)).href);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(path.join(ROOT, source)).href);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const { inputs, ms } = await build();
  console.log(`built ${Object.keys(ENTRIES).map((n) => `dist/${n}.js`).join(', ')} from ${inputs} sources in ${ms} ms`);
}
