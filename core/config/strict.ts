// Load-time checks that refuse what would otherwise be accepted silently, and notes about what is suspicious:
// a key that must hold one string given a list or section; a `{` or `}` without its partner in any string of the
// config (templates, commands, names); a misspelled known key (a warning naming the likely key); and the older BPS
// key `outCollection`, used as `outputRun` with a note. Errors are BadInputErrors naming the file and full key.

import { BadInputError } from '../errors.js';
import { CLI_SECTION } from './lookup.js';
import { isMapping, sourceOf, splitKey, type Layer, type Mapping } from './merge.js';
import { isKnownKey, likelyKey, STRING_KEYS } from './knownKeys.js';
import { showValue } from './values.js';
import { ERROR_CLASS_KEYS } from './validate.js';

/** Receives one line per warning or note (without a trailing newline). */
export type Warn = (line: string) => void;

const STRING_KEY_SET = new Set<string>(STRING_KEYS);
/** Sections whose own keys are BPS keys (the search-order scopes and finalJob). */
const FLAT_SECTIONS = [CLI_SECTION, 'payload', 'finalJob', 'executionButler'];
/** Sections of named sub-sections whose keys are BPS keys. */
const NAMED_SECTIONS = ['pipetask', 'cluster', 'site', 'cloud'];
/** Trees whose strings are not templates (regular expressions of error classes). */
const NOT_TEMPLATES = new Set<string>(ERROR_CLASS_KEYS);

interface Scope {
  path: string[];
  node: Mapping;
}

function scopesOf(tree: Mapping): Scope[] {
  const out: Scope[] = [{ path: [], node: tree }];
  for (const s of FLAT_SECTIONS) if (isMapping(tree[s])) out.push({ path: [s], node: tree[s] as Mapping });
  for (const s of NAMED_SECTIONS) {
    const sect = tree[s];
    if (!isMapping(sect)) continue;
    for (const [name, child] of Object.entries(sect)) if (isMapping(child)) out.push({ path: [s, name], node: child });
  }
  return out;
}

const BRACES = /[{}]/g;

/** Index of an unmatched brace ('{{' and '}}' are literal braces), or -1 when balanced. */
export function unbalancedBrace(text: string): number {
  if (text.indexOf('{') < 0 && text.indexOf('}') < 0) return -1;
  let depth = 0;
  let outerOpen = -1;
  BRACES.lastIndex = 0;
  for (let m = BRACES.exec(text); m !== null; m = BRACES.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (depth === 0 && text.charCodeAt(i + 1) === c) {
      BRACES.lastIndex = i + 2;
      continue;
    }
    if (c === 123) {
      if (depth === 0) outerOpen = i;
      depth++;
    } else {
      if (depth === 0) return i;
      depth--;
    }
  }
  return depth > 0 ? outerOpen : -1;
}

function braceError(text: string, at: number, file: string | undefined, key: string): BadInputError {
  const what = text[at] === '{' ? "a '{' without its '}'" : "a '}' without its '{'";
  const shown = text.length > 80 ? `${text.slice(Math.max(0, at - 30), at + 30)}` : text;
  return new BadInputError(
    `${what} at character ${at + 1} of ${JSON.stringify(shown)}; close the {variable}, or write '{{' / '}}' for a literal brace`,
    { file, key },
  );
}

/** Every string in the tree (lists and sections included) has balanced braces; path strings only on error. */
function checkBraces(layer: Layer): void {
  const path: (string | number)[] = [];
  const fail = (text: string, at: number): never => {
    const keyPath = path.filter((p): p is string => typeof p === 'string');
    const shown = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    throw braceError(text, at, sourceOf(layer.sources, keyPath), shown);
  };
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      const at = unbalancedBrace(value);
      if (at >= 0) fail(value, at);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i]);
        path.pop();
      }
    } else if (isMapping(value)) {
      for (const k of Object.keys(value)) {
        path.push(k);
        walk(value[k]);
        path.pop();
      }
    }
  };
  for (const k of Object.keys(layer.tree)) {
    if (NOT_TEMPLATES.has(k)) continue;
    path.push(k);
    walk(layer.tree[k]);
    path.pop();
  }
}

function checkStringKeys(layer: Layer, scopes: Scope[]): void {
  for (const { path, node } of scopes) {
    for (const k of Object.keys(node)) {
      if (!STRING_KEY_SET.has(k)) continue;
      const v = node[k];
      if (v === null || v === undefined) continue;
      if (Array.isArray(v) || isMapping(v)) {
        const p = [...path, k];
        throw new BadInputError(`expected one string (a name, path or template), got ${showValue(v)}`, {
          file: sourceOf(layer.sources, p),
          key: p.join('.'),
        });
      }
    }
  }
}

/** Unknown keys compared with the known ones per load, at most (a config of thousands of own keys stays cheap). */
const MAX_GUESSES = 2000;

function warnMisspelled(layer: Layer, scopes: Scope[], isDefault: (file: string | undefined) => boolean, warn: Warn): void {
  let guesses = 0;
  for (const { path, node } of scopes) {
    for (const k of Object.keys(node)) {
      if (isKnownKey(k)) continue;
      if (++guesses > MAX_GUESSES) return;
      const likely = likelyKey(k);
      if (likely === undefined) continue;
      const p = [...path, k];
      const file = sourceOf(layer.sources, p);
      if (isDefault(file)) continue;
      warn(`warning: ${file ?? 'config'}: key '${p.join('.')}' is not a BPS key; did you mean '${likely}'? (it is ignored as written)`);
    }
  }
}

/** outCollection (BPS before outputRun) becomes outputRun in the same section, with a note. */
function mapOutCollection(layer: Layer, scopes: Scope[], isDefault: (file: string | undefined) => boolean, warn: Warn): void {
  const cli = layer.tree[CLI_SECTION];
  const cliOutputRun = isMapping(cli) && cli.outputRun != null;
  const fileOutputRun = scopes.find(
    ({ path, node }) => path[0] !== CLI_SECTION && node.outputRun != null && !isDefault(sourceOf(layer.sources, [...path, 'outputRun'])),
  );
  for (const { path, node } of scopes) {
    const v = node.outCollection;
    if (v === null || v === undefined || path[0] === CLI_SECTION) continue;
    const p = [...path, 'outCollection'];
    const file = sourceOf(layer.sources, p);
    if (cliOutputRun) {
      warn(`note: ${file ?? 'config'}: key '${p.join('.')}' (the older BPS name of outputRun) is ignored: --output-run is given`);
      continue;
    }
    if (fileOutputRun) {
      throw new BadInputError(
        `both outCollection (the older BPS name of outputRun) and ${[...fileOutputRun.path, 'outputRun'].join('.')} are set; remove outCollection`,
        { file, key: p.join('.') },
      );
    }
    node.outputRun = v;
    layer.sources[[...path, 'outputRun'].join('.')] = file ?? '';
    warn(`note: ${file ?? 'config'}: key '${p.join('.')}' is the older BPS name of outputRun; used as outputRun (rename it to outputRun)`);
  }
}

/**
 * Runs the checks above on a merged layer (before computed values). `isDefault` tells the built-in defaults files,
 * which are neither misspelled nor the user's outputRun. Mutates the layer only to map outCollection.
 */
export function checkStrict(layer: Layer, isDefault: (file: string | undefined) => boolean, warn: Warn): void {
  const scopes = scopesOf(layer.tree);
  mapOutCollection(layer, scopes, isDefault, warn);
  checkStringKeys(layer, scopes);
  checkBraces(layer);
  warnMisspelled(layer, scopes, isDefault, warn);
}
