// Tree helpers for the BPS config: deep merge of mappings (lists and scalars are replaced, never concatenated)
// that carries, for every leaf, the file that set it (`sources`, keyed by dotted path), plus path get/set helpers.
// Pure: no node: imports (the config class must stay usable inside Temporal workflow code).

export type Mapping = Record<string, unknown>;

/** A tree plus the file of each leaf. `sources['']` (if present) is the fallback for the whole tree. */
export interface Layer {
  tree: Mapping;
  sources: Record<string, string>;
}

export function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function joinPath(parts: readonly string[]): string {
  return parts.join('.');
}

/** Splits a dotted key; a leading '.' (BPS's "from the root") is dropped by the caller. */
export function splitKey(key: string): string[] {
  return key.split('.').filter((p) => p.length > 0);
}

/** Value at `parts` below `node`, or undefined. No copying. */
export function getPath(node: unknown, parts: readonly string[]): unknown {
  let cur: unknown = node;
  for (const p of parts) {
    if (!isMapping(cur) || !Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** File that set `path` (exact entry, else the nearest enclosing one, else ''). */
export function sourceOf(sources: Record<string, string>, parts: readonly string[]): string | undefined {
  for (let n = parts.length; n >= 0; n--) {
    const s = sources[joinPath(parts.slice(0, n))];
    if (s !== undefined) return s;
  }
  return undefined;
}

function copyValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyValue);
  if (isMapping(v)) {
    const out: Mapping = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyValue(x);
    return out;
  }
  return v;
}

function dropSourcesBelow(sources: Record<string, string>, parts: readonly string[]): void {
  const prefix = joinPath(parts);
  const dotted = prefix + '.';
  for (const k of Object.keys(sources)) {
    if (k === prefix || k.startsWith(dotted)) delete sources[k];
  }
}

/** Walks to `parts` in dst, creating mappings (and replacing non-mappings) on the way. */
function ensureMapping(dst: Layer, parts: readonly string[], file: string | undefined): Mapping {
  let node = dst.tree;
  for (let i = 0; i < parts.length; i++) {
    const k = parts[i];
    const next = node[k];
    if (!isMapping(next)) {
      if (next !== undefined) dropSourcesBelow(dst.sources, parts.slice(0, i + 1));
      const fresh: Mapping = {};
      node[k] = fresh;
      if (file !== undefined) dst.sources[joinPath(parts.slice(0, i + 1))] = file;
      node = fresh;
    } else {
      node = next;
    }
  }
  return node;
}

/**
 * Merges srcNode into dstNode. Paths travel as dotted strings, and both the source file of the enclosing src mapping
 * and the file dst already credits the enclosing mapping with are passed down: a leaf whose file equals the one its
 * enclosing mapping is credited with gets no entry of its own (sourceOf finds the enclosing one), so a file's
 * sections cost one entry each, not one per leaf. A src mapping with no source entries below it (`detailBelow`)
 * that is new in dst is copied as is, without a path string per key: merging stays linear and cheap.
 */
function mergeRec(
  dstNode: Mapping,
  srcNode: Mapping,
  dstPath: string,
  srcPath: string,
  dst: Layer,
  srcSources: Record<string, string>,
  detailBelow: ReadonlySet<string>,
  inheritedFile: string | undefined,
  dstInherited: string | undefined,
): void {
  const detailHere = detailBelow.has(srcPath);
  for (const k of Object.keys(srcNode)) {
    const v = srcNode[k];
    const dp = dstPath === '' ? k : `${dstPath}.${k}`;
    const sp = srcPath === '' ? k : `${srcPath}.${k}`;
    const file = detailHere ? (srcSources[sp] ?? inheritedFile) : inheritedFile;
    const existing = dstNode[k];
    if (isMapping(v)) {
      if (isMapping(existing)) {
        mergeRec(existing, v, dp, sp, dst, srcSources, detailBelow, file, dst.sources[dp] ?? dstInherited);
        continue;
      }
      if (existing !== undefined) dropSourcesBelow(dst.sources, splitKey(dp));
      if (file !== undefined && (dst.sources[dp] !== undefined || dstInherited !== file)) dst.sources[dp] = file;
      if (!detailBelow.has(sp)) {
        dstNode[k] = copyValue(v);
        continue;
      }
      const target: Mapping = {};
      dstNode[k] = target;
      mergeRec(target, v, dp, sp, dst, srcSources, detailBelow, file, dst.sources[dp] ?? dstInherited);
    } else {
      if (isMapping(existing)) dropSourcesBelow(dst.sources, splitKey(dp));
      dstNode[k] = copyValue(v);
      if (file !== undefined && (dst.sources[dp] !== undefined || dstInherited !== file)) dst.sources[dp] = file;
    }
  }
}

/** Paths of src mappings with a source entry strictly below them ('' for the root). */
function pathsWithDetail(sources: Record<string, string>): Set<string> {
  const out = new Set<string>();
  for (const key of Object.keys(sources)) {
    if (key === '') continue;
    const parts = splitKey(key);
    for (let n = 0; n < parts.length; n++) out.add(joinPath(parts.slice(0, n)));
  }
  return out;
}

/**
 * Deep-merges `src` into `dst` below path `at` (mappings merge key by key; lists, scalars and null replace).
 * `src` is not modified and shares nothing with `dst` afterwards.
 */
export function mergeLayer(dst: Layer, src: Layer, at: readonly string[] = []): void {
  const file = sourceOf(src.sources, []);
  const node = ensureMapping(dst, at, file);
  const dstInherited = sourceOf(dst.sources, at);
  mergeRec(node, src.tree, joinPath(at), '', dst, src.sources, pathsWithDetail(src.sources), file, dstInherited);
}

/** A layer whose every value comes from one file. */
export function fileLayer(tree: Mapping, file: string): Layer {
  return { tree, sources: { '': file } };
}

/** Turns { 'a.b': 1, c: 2 } into { a: { b: 1 }, c: 2 } (later keys win; mappings merge). */
export function nestDottedKeys(flat: Record<string, unknown>, file: string): Layer {
  const out: Layer = { tree: {}, sources: {} };
  for (const [key, value] of Object.entries(flat)) {
    const parts = splitKey(key);
    if (parts.length === 0) continue;
    mergeLayer(out, fileLayer({ [parts[parts.length - 1]]: value }, file), parts.slice(0, -1));
  }
  return out;
}

export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** Deep copy of a JSON-like tree (no structuredClone: must also run in the workflow sandbox). */
export function cloneTree(tree: Mapping): Mapping {
  return copyValue(tree) as Mapping;
}
