// The one place tbps creates and writes files: every writer names a root (a run's submit directory or the data
// directory) and a path, and the path must resolve under the root, also after symlinks (the real path of the
// deepest existing ancestor is compared with the real path of the root), else ConfinementError and nothing is
// written. Modes are set explicitly after creation (umask-proof): files 0640 (0600 for private ones), directories
// 0750 (0700 private); a directory created inside a setgid directory keeps its setgid bit (group-shared trees).
// Pure file-system code: no spawning, no Temporal.
import {
  chmodSync,
  closeSync,
  copyFileSync,
  createWriteStream,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  statSync,
  writeSync,
  type WriteStream,
} from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors.js';

/** Files tbps writes: owner read/write, group read (a pool's user reads them through a shared group). */
export const FILE_MODE = 0o640;
/** Files only the owner reads: the store, server logs, pid files. */
export const PRIVATE_FILE_MODE = 0o600;
/** Directories tbps creates. */
export const DIR_MODE = 0o750;
/** The data directory and other owner-only directories. */
export const PRIVATE_DIR_MODE = 0o700;
const SETGID = 0o2000;

/** A path that would land outside its root. A BadInputError: the path comes from a name in the input. */
export class ConfinementError extends BadInputError {
  constructor(target: string, root: string, why: string) {
    super(`refusing to write '${target}': ${why}; every file tbps writes must stay under '${root}'`);
  }
}

/** The real path of p: the real path of its deepest existing ancestor joined with the part that does not exist yet. */
function realPathOf(p: string, root: string, target: string): string {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = realpathSync.native(cur);
      return rest.length === 0 ? real : path.join(real, ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // realpath fails with ENOENT for a dangling symlink too: writing through it would follow it anywhere.
      let dangling = false;
      try {
        dangling = lstatSync(cur).isSymbolicLink();
      } catch {
        dangling = false;
      }
      if (dangling) throw new ConfinementError(target, root, `'${cur}' is a symlink to a path that does not exist`);
    }
    const parent = path.dirname(cur);
    if (parent === cur) return path.join(cur, ...rest.reverse());
    rest.push(path.basename(cur));
    cur = parent;
  }
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * The absolute path of `target` (absolute, or relative to `root`) after checking that it stays under `root`:
 * lexically (no '..' out of it) and physically (no symlinked ancestor pointing out of it).
 */
export function resolveUnder(root: string, target: string): string {
  const absRoot = path.resolve(root);
  const abs = path.resolve(absRoot, target);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000]/.test(target)) throw new ConfinementError(target, absRoot, 'the path contains a NUL character');
  if (!inside(abs, absRoot)) throw new ConfinementError(target, absRoot, `it resolves to '${abs}', outside the root`);
  const realRoot = realPathOf(absRoot, absRoot, target);
  const real = realPathOf(abs, absRoot, target);
  if (!inside(real, realRoot)) throw new ConfinementError(target, absRoot, `it resolves through a symlink to '${real}', outside the root`);
  return abs;
}

/** chmod that keeps the setgid bit a directory inherited from its parent (group-shared trees stay shared). */
function chmodDir(dir: string, mode: number): void {
  chmodSync(dir, mode | (statSync(dir).mode & SETGID));
}

/** Creates `dir` (and missing parents) under `root`; every directory created gets `mode`. Returns its absolute path. */
export function mkdirUnder(root: string, dir: string, mode = DIR_MODE): string {
  const abs = resolveUnder(root, dir);
  const missing: string[] = [];
  for (let d = abs; ; d = path.dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw new ConfinementError(dir, path.resolve(root), `'${d}' exists and is not a directory`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(d);
      if (path.dirname(d) === d) break;
    }
  }
  mkdirSync(abs, { recursive: true, mode });
  for (const d of missing.reverse()) chmodDir(d, mode);
  return abs;
}

export interface WriteOptions {
  /** File mode, set explicitly (default FILE_MODE, 0640). */
  mode?: number;
  /** Append instead of replacing. */
  append?: boolean;
  /** Mode of parent directories created on the way (default DIR_MODE, 0750). */
  dirMode?: number;
}

/** Opens `file` under `root` for writing (creating its directory), with its mode set; returns the descriptor. */
export function openUnder(root: string, file: string, opts: WriteOptions = {}): number {
  const abs = resolveUnder(root, file);
  mkdirUnder(root, path.dirname(abs), opts.dirMode ?? DIR_MODE);
  const mode = opts.mode ?? FILE_MODE;
  const fd = openSync(abs, opts.append ? 'a' : 'w', mode);
  try {
    fchmodSync(fd, mode);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/**
 * Checks that `file` resolves under `root` and creates its directory (mode as openUnder), for a file another
 * process opens (the executor's launcher opens job logs without following a symlink in their last component).
 * Returns its absolute path.
 */
export function preparePathUnder(root: string, file: string, opts: WriteOptions = {}): string {
  const abs = resolveUnder(root, file);
  mkdirUnder(root, path.dirname(abs), opts.dirMode ?? DIR_MODE);
  return abs;
}

/** Writes `data` to `file` under `root` (replacing it, or appending), with its mode set. Returns the absolute path. */
export function writeFileUnder(root: string, file: string, data: string | Uint8Array, opts: WriteOptions = {}): string {
  const fd = openUnder(root, file, opts);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } finally {
    closeSync(fd);
  }
  return resolveUnder(root, file);
}

/** A write stream on `file` under `root` (its directory created, its mode set before the first byte). */
export function createWriteStreamUnder(root: string, file: string, opts: WriteOptions = {}): WriteStream {
  const fd = openUnder(root, file, opts);
  return createWriteStream('', { fd, encoding: 'utf8' });
}

/** Copies `src` (read from anywhere) to `dest` under `root`, with its mode set. */
export function copyFileUnder(root: string, src: string, dest: string, opts: WriteOptions = {}): string {
  const abs = resolveUnder(root, dest);
  mkdirUnder(root, path.dirname(abs), opts.dirMode ?? DIR_MODE);
  copyFileSync(src, abs);
  chmodSync(abs, opts.mode ?? FILE_MODE);
  return abs;
}

/** chmod of an existing path under `root` (directories keep an inherited setgid bit unless `mode` says otherwise). */
export function chmodUnder(root: string, target: string, mode: number): void {
  const abs = resolveUnder(root, target);
  if (statSync(abs).isDirectory() && (mode & SETGID) === 0) chmodDir(abs, mode);
  else chmodSync(abs, mode);
}

/**
 * Creates (if needed) an owner-only directory such as the data directory and sets it to 0700, also when it
 * existed with a looser mode. Returns its absolute path.
 */
export function ensurePrivateDir(dir: string): string {
  const abs = path.resolve(dir);
  mkdirSync(abs, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((statSync(abs).mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(abs, PRIVATE_DIR_MODE);
  return abs;
}
