// The run's saved config (tbps_config.json in its submit directory) and the reference that travels through Temporal
// in its place: the file's path and the sha256 of its bytes. A config can be large (one value of megabytes); a
// reference is a few hundred bytes. Reading checks the hash, so a copy altered or removed after submit is a clear
// bad-input error naming the file, never a silently different run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdirUnder, PRIVATE_FILE_MODE, writeFileUnder } from '../files/confined.js';
import path from 'node:path';
import { BadInputError } from '../errors.js';
import type { ConfigRef, SerializedConfig } from '../run/types.js';
import { SAVED_CONFIG } from './files.js';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Where a run's saved config lives. */
export function savedConfigPath(submitPath: string): string {
  return path.join(submitPath, SAVED_CONFIG);
}

export interface SavedConfigWrite {
  ref: ConfigRef;
  /**
   * Undoes the write (for a start that failed): puts back the copy it replaced, or removes the file, and the submit
   * directory if this created it.
   */
  undo(): void;
}

/** Writes the config into the submit directory (creating it) and returns the reference to it. */
export function saveRunConfig(submitPath: string, config: SerializedConfig): SavedConfigWrite {
  const created = !existsSync(submitPath);
  mkdirUnder(submitPath, submitPath);
  const file = savedConfigPath(submitPath);
  const before = existsSync(file) ? readFileSync(file) : undefined;
  const text = JSON.stringify(config);
  writeFileUnder(submitPath, file, text, { mode: PRIVATE_FILE_MODE });
  return {
    ref: { file, sha256: sha256(text) },
    undo: () => {
      if (before) writeFileUnder(submitPath, file, before, { mode: PRIVATE_FILE_MODE });
      else rmSync(created ? submitPath : file, { recursive: true, force: true });
    },
  };
}

/** The reference to an already saved config (restart, a campaign group's retry). */
export function savedConfigRef(submitPath: string, what: string): ConfigRef {
  const file = savedConfigPath(submitPath);
  if (!existsSync(file)) throw new BadInputError(`${what} has no saved config at ${file}: it never got past prepare`, { file });
  return { file, sha256: sha256(readFileSync(file)) };
}

/** Reads a saved config by reference: the file must exist and have the recorded hash. */
export function loadSavedConfig(ref: ConfigRef): SerializedConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(ref.file);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(err as Error).message})`;
    throw new BadInputError(`the run's saved config ${why}; it was written at submit and must stay in the submit directory`, { file: ref.file });
  }
  const actual = sha256(bytes);
  if (actual !== ref.sha256)
    throw new BadInputError(`the run's saved config was changed after submit (sha256 ${actual.slice(0, 12)}..., submitted ${ref.sha256.slice(0, 12)}...); submit again to run a changed config`, { file: ref.file });
  return parseSaved(bytes.toString('utf8'), ref.file);
}

/** Reads a saved config by path only (no hash known: HTCondor plugin settings, runs saved before references). */
export function readSavedConfig(submitPath: string): SerializedConfig {
  const file = savedConfigPath(submitPath);
  if (!existsSync(file)) throw new BadInputError(`the run's saved config is missing; it was written at submit and must stay in the submit directory`, { file });
  return parseSaved(readFileSync(file, 'utf8'), file);
}

function parseSaved(text: string, file: string): SerializedConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`the run's saved config is not valid JSON (${(err as Error).message})`, { file });
  }
  const tree = (parsed as { tree?: unknown } | null)?.tree;
  if (!tree || typeof tree !== 'object' || Array.isArray(tree)) throw new BadInputError(`the run's saved config has no config tree (expected {"tree": {...}, "sources": {...}})`, { file });
  return parsed as SerializedConfig;
}
