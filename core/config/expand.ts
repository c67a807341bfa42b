// `{var}` and `${ENV}` expansion of BPS config strings.
// `{name}` (or `{name:06}` with a zero-pad/width spec) is looked up in `extra` first (inserted literally), then
// through the BPS search order; string values expand recursively, a cycle is an error. `${NAME}` comes from the
// environment. `{{` and `}}` are literal braces. Anything else in braces (`{a,b}`, `{ x }`) is left as written.
// Pure: the environment and the lookup are passed in (see VarSource).

import { BadInputError } from '../errors.js';
import { isMapping } from './merge.js';
import type { Hit } from './lookup.js';
import type { UndefinedVars } from './types.js';

/** What expansion needs from a config, with the lookup context already bound. */
export interface VarSource {
  lookup(key: string): Hit | undefined;
  env(name: string): string | undefined;
  /** File that defined a dotted path, for messages. */
  fileOf(path: string): string | undefined;
  /** The user's submit YAML (bps_defined.configFile), for messages about missing variables. */
  configFile?: string;
}

export interface ExpandState {
  src: VarSource;
  extra?: Record<string, string | number>;
  mode: UndefinedVars;
  /** Chain of keys being expanded (the origin key first, when there is one). */
  stack: string[];
  /** Whether stack[0] is the key the expansion started from (getString) rather than a variable of a template. */
  keyed: boolean;
  /** Tree path of the origin key's value, when expanding a key. */
  originPath?: string;
  /** The template expansion started from. */
  template: string;
}

/** Deepest chain of `{var}`s inside `{var}`s (BPS configs need a handful). */
export const MAX_EXPANSION_DEPTH = 64;
/** Longest text one expansion may produce (guards against values that double at every level). */
export const MAX_EXPANDED_CHARS = 1024 * 1024;

const VAR_RE = /\{([A-Za-z_][A-Za-z0-9_.]*)(?::([^{}]*))?\}/y;
const ENV_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/y;

function short(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

function originKey(st: ExpandState): string | undefined {
  return st.keyed ? st.stack[0] : undefined;
}

function where(st: ExpandState): string {
  return originKey(st) !== undefined ? '' : ` in template "${short(st.template)}"`;
}

function chainText(st: ExpandState): string {
  return st.stack.length > (st.keyed ? 1 : 0) ? ` (expanding ${st.stack.join(' -> ')})` : '';
}

/** ' (value from FILE)' when the template came from another file than the submit YAML. */
function fromText(st: ExpandState): string {
  const f = st.originPath ? st.src.fileOf(st.originPath) : undefined;
  return f && f !== st.src.configFile ? ` (value of '${st.originPath}' from ${f})` : '';
}

function errorFile(st: ExpandState): string | undefined {
  return st.src.configFile ?? (st.originPath ? st.src.fileOf(st.originPath) : undefined);
}

export function undefinedVarError(name: string, st: ExpandState): BadInputError {
  return new BadInputError(
    `undefined variable {${name}}${where(st)}${chainText(st)}${fromText(st)}; define '${name}' in the submit YAML ` +
      `(at the top level or under payload:) or on the command line`,
    { file: errorFile(st), key: originKey(st) },
  );
}

export function envError(name: string, st: ExpandState): BadInputError {
  return new BadInputError(
    `environment variable \${${name}} is not set${where(st)}${chainText(st)}; export ${name} or change the value`,
    { file: errorFile(st), key: originKey(st) },
  );
}

function cycleError(name: string, st: ExpandState): BadInputError {
  const start = st.stack.indexOf(name);
  const cycle = [...st.stack.slice(start), name].map((n) => `{${n}}`).join(' -> ');
  return new BadInputError(`variable cycle ${cycle}; give one of these keys a value that does not refer back`, {
    file: errorFile(st),
    key: originKey(st),
  });
}

export type VarResolution =
  | { kind: 'extra'; text: string }
  | { kind: 'config'; hit: Hit }
  | { kind: 'missing' };

export function resolveVar(name: string, st: ExpandState): VarResolution {
  if (st.extra && Object.prototype.hasOwnProperty.call(st.extra, name)) {
    const v = st.extra[name];
    if (v !== undefined && v !== null) return { kind: 'extra', text: String(v) };
  }
  const hit = st.src.lookup(name);
  return hit ? { kind: 'config', hit } : { kind: 'missing' };
}

function depthError(name: string, st: ExpandState): BadInputError {
  const chain = [...st.stack, name];
  const shown = [...chain.slice(0, 4), '...', ...chain.slice(-3)].map((n) => (n === '...' ? n : `{${n}}`)).join(' -> ');
  return new BadInputError(
    `{var} expansion nested more than ${MAX_EXPANSION_DEPTH} deep (${shown}); give one of these keys a plain value`,
    { file: errorFile(st), key: originKey(st) ?? st.stack[0] },
  );
}

/** Throws the size error when an expansion has produced more than MAX_EXPANDED_CHARS characters. */
export function checkExpandedSize(chars: number, st: ExpandState): void {
  if (chars > MAX_EXPANDED_CHARS) throw sizeError(st);
}

function sizeError(st: ExpandState): BadInputError {
  return new BadInputError(
    `{var} expansion${chainText(st)} grows over ${MAX_EXPANDED_CHARS} characters; values that repeat other variables several times multiply at each level`,
    { file: errorFile(st), key: originKey(st) ?? st.stack[0] },
  );
}

/** Runs fn with `name` pushed on the expansion stack; a name already on it is a cycle, a too-deep chain an error. */
export function withVar<T>(name: string, st: ExpandState, fn: () => T): T {
  if (st.stack.includes(name)) throw cycleError(name, st);
  if (st.stack.length >= MAX_EXPANSION_DEPTH) throw depthError(name, st);
  st.stack.push(name);
  try {
    return fn();
  } finally {
    st.stack.pop();
  }
}

/** Text of a non-string value used as a variable: numbers and booleans as written, lists joined with ','. */
export function scalarText(name: string, hit: Hit, st: ExpandState): string {
  const v = hit.value;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => !isMapping(x) && !Array.isArray(x))) return v.map(String).join(',');
  throw new BadInputError(
    `variable {${name}}${where(st)}${chainText(st)} refers to '${hit.path}', which is a ${isMapping(v) ? 'section' : 'nested list'}, ` +
      `not a value; use a key that holds a string or number`,
    { file: errorFile(st), key: originKey(st) },
  );
}

export function applyFormat(text: string, spec: string | undefined, name: string, st: ExpandState): string {
  if (!spec) return text;
  const m = /^(0)?(\d+)?([ds])?$/.exec(spec);
  if (!m) {
    throw new BadInputError(
      `unsupported format spec '{${name}:${spec}}'${where(st)}; only a width with optional zero padding is supported (e.g. {visit:06})`,
      { file: errorFile(st), key: originKey(st) },
    );
  }
  const width = m[2] ? Number(m[2]) : 0;
  return text.padStart(width, m[1] ? '0' : ' ');
}

export function envValue(name: string, st: ExpandState): string {
  const v = st.src.env(name);
  if (v === undefined) throw envError(name, st);
  return v;
}

/** Expands one variable occurrence to text (string mode). */
function varText(name: string, spec: string | undefined, raw: string, st: ExpandState): string {
  const r = resolveVar(name, st);
  if (r.kind === 'extra') return applyFormat(r.text, spec, name, st);
  if (r.kind === 'missing') {
    if (st.mode === 'keep') return raw;
    if (st.mode === 'empty') return '';
    throw undefinedVarError(name, st);
  }
  const v = r.hit.value;
  const text = typeof v === 'string' ? withVar(name, st, () => expandString(v, st)) : withVar(name, st, () => scalarText(name, r.hit, st));
  return applyFormat(text, spec, name, st);
}

/** Expands `{var}`, `${ENV}` and `{{`/`}}` in a string. */
export function expandString(text: string, st: ExpandState): string {
  if (!text.includes('{') && !text.includes('}')) return text;
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '{') {
      ENV_RE.lastIndex = i;
      const m = ENV_RE.exec(text);
      if (m) {
        out += envValue(m[1], st);
        i += m[0].length;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    if (c === '{') {
      if (text[i + 1] === '{') {
        out += st.mode === 'keep' ? '{{' : '{';
        i += 2;
        continue;
      }
      VAR_RE.lastIndex = i;
      const m = VAR_RE.exec(text);
      if (m) {
        out += varText(m[1], m[2], m[0], st);
        i += m[0].length;
        continue;
      }
    } else if (c === '}' && text[i + 1] === '}') {
      out += st.mode === 'keep' ? '}}' : '}';
      i += 2;
      continue;
    }
    out += c;
    i++;
    if (out.length > MAX_EXPANDED_CHARS) throw sizeError(st);
  }
  if (out.length > MAX_EXPANDED_CHARS) throw sizeError(st);
  return out;
}

/** Matches a `{var}` or `${ENV}` token at position i (for the argv tokenizer). */
export function matchVar(text: string, i: number): RegExpExecArray | null {
  VAR_RE.lastIndex = i;
  return VAR_RE.exec(text);
}

export function matchEnv(text: string, i: number): RegExpExecArray | null {
  ENV_RE.lastIndex = i;
  return ENV_RE.exec(text);
}
