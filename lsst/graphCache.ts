// Quantum graphs made ahead of a run (by `tbps campaign plan`) and reused by the run's own graph generation when
// nothing changed: keyed by the sha256 of the inputs (the `createQuantumGraph` command line with the graph's own
// path taken out, and the pipeline file's content). An entry is used once (moved into the run's submit directory)
// and only within MAX_AGE of its making, since the repository's contents are not part of the key.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BpsConfig } from '../core/config/index.js';
import { copyFileUnder, mkdirUnder, writeFileUnder } from '../core/files/confined.js';
import { dataDir } from '../paths/index.js';

/** Entries older than this are not used (the repository may have new data). */
export const GRAPH_CACHE_MAX_AGE_MS = 6 * 3600_000;

const QG_PLACEHOLDER = '{qgraphFile}';

function cacheDir(): string {
  return path.join(dataDir(), 'qgraph-cache');
}

/** The pipeline file of a `pipelineYaml` value (without its `#subset`), when it is a local file. */
function pipelineFile(config: BpsConfig): string | undefined {
  const value = config.has('pipelineYaml') ? String(config.get('pipelineYaml') ?? '') : '';
  const file = value.split('#')[0];
  return file && existsSync(file) ? file : undefined;
}

/** The key of the graph a config's `createQuantumGraph` command makes (argv given with the graph file `qgraphFile`). */
export function graphCacheKey(config: BpsConfig, argv: readonly string[], qgraphFile: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(argv.map((a) => a.split(qgraphFile).join(QG_PLACEHOLDER))));
  const pipeline = pipelineFile(config);
  hash.update('\0');
  if (pipeline) hash.update(readFileSync(pipeline));
  return hash.digest('hex');
}

/** Keeps a graph made for `key` (copied from `qgraphFile`), with a note of who made it and when. */
export function storeCachedGraph(key: string, qgraphFile: string, madeBy: string): void {
  const dir = cacheDir();
  mkdirUnder(dataDir(), dir);
  copyFileUnder(dataDir(), qgraphFile, path.join(dir, `${key}.qg`));
  writeFileUnder(dataDir(), path.join(dir, `${key}.json`), JSON.stringify({ madeBy, madeAt: new Date().toISOString(), source: qgraphFile }));
}

/**
 * Moves the cached graph of `key` to `target` when there is a fresh one; returns its note (made by, at), else
 * undefined. A stale entry is removed.
 */
export function takeCachedGraph(key: string, target: string): { madeBy: string; madeAt: string } | undefined {
  const file = path.join(cacheDir(), `${key}.qg`);
  const note = path.join(cacheDir(), `${key}.json`);
  if (!existsSync(file) || !existsSync(note)) return undefined;
  const fresh = Date.now() - statSync(file).mtimeMs < GRAPH_CACHE_MAX_AGE_MS;
  try {
    if (!fresh) return undefined;
    const made = JSON.parse(readFileSync(note, 'utf8')) as { madeBy: string; madeAt: string };
    renameSync(file, target);
    return made;
  } catch {
    return undefined;
  } finally {
    rmSync(note, { force: true });
    rmSync(file, { force: true });
  }
}
