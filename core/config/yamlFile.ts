// Reading one YAML config file within fixed limits: a file over 8 MiB is refused before it is read; the text goes
// through the linear fast reader (yamlFast.ts) and only text it does not handle through the `yaml` library, whose
// own duplicate-key check (quadratic in the keys of one mapping) is replaced by a linear one over the parsed maps;
// aliases are counted and capped. Every problem is a BadInputError naming the file (and line).

import { readFileSync, statSync } from 'node:fs';
import { isAlias, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { BadInputError } from '../errors.js';
import { deepFreeze, isMapping, type Mapping } from './merge.js';
import { showValue } from './values.js';
import { MAX_YAML_DEPTH, parseYamlFast } from './yamlFast.js';

/** Largest config file (the submit YAML or any included file) tbps reads. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
/** Most alias nodes (`*name`) in one config file. */
export const MAX_YAML_ALIASES = 1000;
/** Most nodes one alias may expand to, counted by the `yaml` library (guards against "billion laughs"). */
const MAX_ALIAS_EXPANSION = 10000;

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** Refuses a config file over MAX_CONFIG_BYTES (without reading it) and returns its size and mtime. */
export function checkConfigSize(display: string, abs: string): { size: number; mtimeMs: number } {
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : String((e as Error).message);
    throw new BadInputError(`cannot read the config file: ${why} (${abs})`, { file: display });
  }
  if (st.isDirectory()) throw new BadInputError(`cannot read the config file: is a directory, not a YAML file (${abs})`, { file: display });
  if (st.size > MAX_CONFIG_BYTES) {
    throw new BadInputError(
      `the file is ${mib(st.size)} MiB (${st.size} bytes), over the ${mib(MAX_CONFIG_BYTES)} MiB limit for config files; ` +
        'keep large data (data queries, lists of ids) in files the config names, not in the config',
      { file: display },
    );
  }
  return { size: st.size, mtimeMs: st.mtimeMs };
}

function depthError(display: string, line?: number): BadInputError {
  const at = line !== undefined ? ` at line ${line}` : '';
  return new BadInputError(`sections and lists nested more than ${MAX_YAML_DEPTH} levels deep${at}; flatten the config`, { file: display });
}

/** Nesting depth of a parsed value, without recursion (a library parse may be deeper than the stack allows). */
function tooDeep(value: unknown): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > MAX_YAML_DEPTH) return true;
    const next: unknown[] = [];
    for (const v of level) {
      if (Array.isArray(v)) next.push(...v.filter((x) => typeof x === 'object' && x !== null));
      else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) next.push(x);
    }
    level = next;
  }
  return false;
}

function duplicateError(display: string, key: string, line: number, firstAt: number): BadInputError {
  return new BadInputError(`YAML syntax error at line ${line}: duplicate key '${key}' (first at line ${firstAt}); keep one of them`, { file: display });
}

/** Linear duplicate-key check and alias count over a document parsed by the `yaml` library. */
function checkDocument(display: string, doc: Document, lines: LineCounter): void {
  let aliases = 0;
  let problem: BadInputError | undefined;
  visit(doc, {
    Alias() {
      aliases++;
      if (aliases > MAX_YAML_ALIASES) {
        problem = new BadInputError(`more than ${MAX_YAML_ALIASES} YAML aliases (*name); write the values out or use includeConfigs`, {
          file: display,
        });
        return visit.BREAK;
      }
      return undefined;
    },
    Map(_key, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const k = pair.key;
        if (isAlias(k)) continue;
        const name = isScalar(k) ? String(k.value) : String(k);
        if (name === '<<') continue;
        const at = isScalar(k) && k.range ? lines.linePos(k.range[0]).line : 0;
        const prev = seen.get(name);
        if (prev !== undefined) {
          problem = duplicateError(display, name, at, prev);
          return visit.BREAK;
        }
        seen.set(name, at);
      }
      return undefined;
    },
  });
  if (problem) throw problem;
}

/** Parses YAML text (fast path first) into a JS value; errors name `display`. */
export function parseConfigText(display: string, text: string): unknown {
  const fast = parseYamlFast(text);
  if (fast.kind === 'ok') return fast.value;
  if (fast.kind === 'duplicate') throw duplicateError(display, fast.key, fast.line, fast.firstLine);
  if (fast.kind === 'tooDeep') throw depthError(display, fast.line);
  let value: unknown;
  try {
    value = parseWithLibrary(display, text);
  } catch (e) {
    if (e instanceof RangeError) throw depthError(display);
    throw e;
  }
  if (tooDeep(value)) throw depthError(display);
  return value;
}

function parseWithLibrary(display: string, text: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const what = firstLine(err.message).replace(/\s*at line \d+, column \d+:?$/, '');
    if (/call stack/i.test(what)) throw depthError(display, pos?.line);
    throw new BadInputError(`YAML syntax error${at}: ${what}; fix the YAML (indentation, quoting, ': ' after keys)`, { file: display });
  }
  checkDocument(display, doc, lines);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (e) {
    if (e instanceof RangeError) throw e;
    const msg = firstLine((e as Error).message);
    if (/alias count/i.test(msg)) {
      throw new BadInputError(`YAML aliases expand to too many nodes (over ${MAX_ALIAS_EXPANSION} per alias); write the values out`, { file: display });
    }
    throw new BadInputError(`cannot read the YAML: ${msg}`, { file: display });
  }
}

/** Parses a YAML config file into a mapping (null for an empty file). `display` is the name used in messages. */
export function readYamlMapping(display: string, abs: string): Mapping | null {
  checkConfigSize(display, abs);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a YAML file' : String((e as Error).message);
    throw new BadInputError(`cannot read the config file: ${why} (${abs})`, { file: display });
  }
  const value = parseConfigText(display, text);
  if (value === null || value === undefined) return null;
  if (!isMapping(value)) {
    throw new BadInputError(`expected a mapping of BPS settings at the top level (e.g. "payload:" / "pipelineYaml: ..."), got ${showValue(value)}`, {
      file: display,
    });
  }
  return value;
}

interface Cached {
  size: number;
  mtimeMs: number;
  tree: Mapping | null;
}
const cache = new Map<string, Cached>();
const CACHE_FILES = 16;

/**
 * readYamlMapping for the config loader, remembering the last files read (by size and modification time), so loading
 * the same submit YAML twice in one command (WMS peek, then the full load) parses it once. The tree is frozen.
 */
export function readConfigTree(display: string, abs: string): Mapping | null {
  const { size, mtimeMs } = checkConfigSize(display, abs);
  const hit = cache.get(abs);
  if (hit && hit.size === size && hit.mtimeMs === mtimeMs) return hit.tree;
  const tree = deepFreeze(readYamlMapping(display, abs));
  cache.delete(abs);
  cache.set(abs, { size, mtimeMs, tree });
  if (cache.size > CACHE_FILES) cache.delete(cache.keys().next().value as string);
  return tree;
}
