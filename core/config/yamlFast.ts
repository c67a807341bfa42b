// A linear-time reader for the plain subset of YAML that BPS configs are written in: block mappings and sequences,
// plain, single- and double-quoted scalars on one line, one-line flow lists/mappings, `|`/`>` block scalars and
// comments, with the YAML 1.2 core schema (null, booleans, decimal ints, floats). It gives exactly what the `yaml`
// library's toJS gives for such text; anything else (anchors, aliases, tags, documents markers, multi-line plain or
// quoted scalars, complex keys, hex/octal/inf, unusual indentation) returns `unsupported` and the caller falls back to
// the `yaml` library. A repeated key is reported with both lines. Pure: no node: imports.

/** Deepest nesting of sections and lists a config may have. */
export const MAX_YAML_DEPTH = 100;

export type FastYaml =
  | { kind: 'ok'; value: unknown }
  | { kind: 'tooDeep'; line: number }
  | { kind: 'duplicate'; key: string; line: number; firstLine: number }
  | { kind: 'unsupported'; why: string; line: number };

class Unsupported extends Error {
  constructor(
    readonly why: string,
    readonly line: number,
  ) {
    super(why);
  }
}

class TooDeep extends Error {
  constructor(readonly line: number) {
    super('too deep');
  }
}

class Duplicate extends Error {
  constructor(
    readonly key: string,
    readonly line: number,
    readonly firstLine: number,
  ) {
    super(key);
  }
}

interface Line {
  indent: number;
  /** Text after the indentation (a `- ` item rewrites it to the item's content). */
  text: string;
  /** 1-based line number in the file. */
  no: number;
  /** Raw line (for block scalars). */
  raw: string;
}

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_RE = /^[-+]?[0-9]+$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Other core-schema forms (octal, hex, inf, nan): left to the library. */
const OTHER_RE = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
/** Plain mapping keys the fast path accepts (they resolve to strings in the core schema). */
const KEY_RE = /^[A-Za-z_$][A-Za-z0-9_$.\-/@()+ ]*$/;
const INDICATOR = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

function plainValue(s: string, no: number): unknown {
  if (NULL_RE.test(s)) return null;
  const c = s.charCodeAt(0);
  // Fast exit for ordinary words.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 116 || c === 84 || c === 102 || c === 70)) return s;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s);
  if (OTHER_RE.test(s)) throw new Unsupported('octal, hex, inf or nan scalar', no);
  return s;
}

/** Position of a ` #` comment start in plain text (or -1). */
function commentAt(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) return i;
  }
  return -1;
}

function restIsBlank(s: string, from: number, no: number): void {
  const rest = s.slice(from).trim();
  if (rest !== '' && rest[0] !== '#') throw new Unsupported('text after a quoted scalar', no);
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' };

/** A double-quoted scalar starting at s[i] === '"'; returns [value, index after the closing quote]. */
function doubleQuoted(s: string, i: number, no: number): [string, number] {
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '"') return [out, j + 1];
    if (c === '\\') {
      const e = s[j + 1];
      if (e !== undefined && ESCAPES[e] !== undefined) {
        out += ESCAPES[e];
        j += 2;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = s.slice(j + 2, j + 2 + n);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw new Unsupported('bad escape', no);
        out += String.fromCodePoint(parseInt(hex, 16));
        j += 2 + n;
      } else {
        throw new Unsupported('escape', no);
      }
    } else {
      out += c;
      j++;
    }
  }
  throw new Unsupported('multi-line double-quoted scalar', no);
}

function singleQuoted(s: string, i: number, no: number): [string, number] {
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === "'") {
      if (s[j + 1] === "'") {
        out += "'";
        j += 2;
        continue;
      }
      return [out, j + 1];
    }
    out += c;
    j++;
  }
  throw new Unsupported('multi-line single-quoted scalar', no);
}

/** A one-line flow collection starting at s[i] ('[' or '{'); returns [value, index after it]. */
function flow(s: string, i: number, no: number, depth: number): [unknown, number] {
  if (depth > 64) throw new Unsupported('deep flow collection', no);
  const open = s[i];
  const close = open === '[' ? ']' : '}';
  const list: unknown[] = [];
  const map: Record<string, unknown> = {};
  const seen = new Set<string>();
  let j = i + 1;
  const skip = () => {
    while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
  };
  const item = (stop: string): unknown => {
    skip();
    const c = s[j];
    if (c === '"') {
      const [v, k] = doubleQuoted(s, j, no);
      j = k;
      return v;
    }
    if (c === "'") {
      const [v, k] = singleQuoted(s, j, no);
      j = k;
      return v;
    }
    if (c === '[' || c === '{') {
      const [v, k] = flow(s, j, no, depth + 1);
      j = k;
      return v;
    }
    let k = j;
    while (k < s.length && !stop.includes(s[k])) {
      if ('[]{}'.includes(s[k])) throw new Unsupported('bracket in flow scalar', no);
      if (s[k] === '#' && (s[k - 1] === ' ' || s[k - 1] === '\t')) throw new Unsupported('comment in flow', no);
      if (s[k] === ':' && (s[k + 1] === ' ' || s[k + 1] === ',' || s[k + 1] === close) && open === '[') throw new Unsupported('pair in flow list', no);
      k++;
    }
    const text = s.slice(j, k).trim();
    if (text !== '' && INDICATOR.has(text[0]) && !(text[0] === '-' && text.length > 1 && text[1] !== ' ')) {
      throw new Unsupported('indicator in flow scalar', no);
    }
    j = k;
    return text;
  };
  skip();
  if (s[j] === close) return [open === '[' ? list : map, j + 1];
  for (;;) {
    if (open === '[') {
      const before = j;
      const v = item(',]');
      if (typeof v === 'string' && s[before] !== '"' && s[before] !== "'") {
        if (v === '') throw new Unsupported('empty flow item', no);
        list.push(plainValue(v, no));
      } else list.push(v);
    } else {
      skip();
      const before = j;
      const k = item(':,}');
      if (typeof k !== 'string' || k === '') throw new Unsupported('flow key', no);
      const quoted = s[before] === '"' || s[before] === "'";
      if (!quoted && !KEY_RE.test(k)) throw new Unsupported('flow key', no);
      if (s[j] !== ':') throw new Unsupported('flow key without value', no);
      j++;
      skip();
      const vb = j;
      const v = item(',}');
      const value = typeof v === 'string' && s[vb] !== '"' && s[vb] !== "'" ? plainValue(v, no) : v;
      if (seen.has(k)) throw new Duplicate(k, no, no);
      seen.add(k);
      if (k === '__proto__') throw new Unsupported('__proto__ key', no);
      map[k] = value;
    }
    skip();
    if (s[j] === ',') {
      j++;
      skip();
      if (s[j] === close) return [open === '[' ? list : map, j + 1];
      continue;
    }
    if (s[j] === close) return [open === '[' ? list : map, j + 1];
    throw new Unsupported('unterminated or multi-line flow collection', no);
  }
}

class Reader {
  private pos = 0;
  constructor(
    private readonly lines: Line[],
    private readonly all: string[],
  ) {}

  /** Index of the next content line (skipping blank and comment lines) from `pos`. */
  private peek(): Line | undefined {
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.text === '' || l.text[0] === '#') {
        this.pos++;
        continue;
      }
      return l;
    }
    return undefined;
  }

  document(): unknown {
    const first = this.peek();
    if (!first) return null;
    const v = this.node(first.indent);
    const rest = this.peek();
    if (rest) throw new Unsupported('text after the top-level node', rest.no);
    return v;
  }

  private depth = 0;

  private node(indent: number): unknown {
    const l = this.peek()!;
    if (l.indent !== indent) throw new Unsupported('indentation', l.no);
    return this.deeper(l.no, () => this.nodeAt(indent, l));
  }

  private deeper<T>(no: number, fn: () => T): T {
    if (++this.depth > MAX_YAML_DEPTH) throw new TooDeep(no);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private nodeAt(indent: number, l: Line): unknown {
    if (l.text === '-' || l.text.startsWith('- ')) return this.sequence(indent);
    return this.mapping(indent);
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const l = this.peek();
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) throw new Unsupported('indentation', l.no);
      if (!(l.text === '-' || l.text.startsWith('- '))) return out;
      if (l.text === '-' || l.text.slice(1).trim() === '' || l.text.slice(1).trim()[0] === '#') {
        this.pos++;
        const next = this.peek();
        out.push(next && next.indent > indent ? this.node(next.indent) : null);
        continue;
      }
      // "- content": the content is a node at the column after the dash.
      let k = 1;
      while (l.text[k] === ' ') k++;
      l.indent += k;
      l.text = l.text.slice(k);
      out.push(this.itemNode(l));
    }
  }

  /** The node of a sequence item whose content starts on the dash line (l rewritten to that content). */
  private itemNode(l: Line): unknown {
    if (l.text === '-' || l.text.startsWith('- ')) return this.deeper(l.no, () => this.sequence(l.indent));
    if (this.keyOf(l) !== undefined) return this.deeper(l.no, () => this.mapping(l.indent));
    this.pos++;
    const v = this.inlineValue(l.text, l.no, l.indent - 1);
    this.noContinuation(l.indent - 1, l.no);
    return v;
  }

  /** A scalar or flow value ends on its line: a more-indented line after it would continue it. */
  private noContinuation(indent: number, no: number): void {
    const next = this.peek();
    if (next && next.indent > indent) throw new Unsupported('multi-line value', no);
  }

  /** [key, index of the text after ':'] when the line is a `key: ...` entry. */
  private keyOf(l: Line): [string, number] | undefined {
    const s = l.text;
    const c = s[0];
    if (c === '"' || c === "'") {
      const [k, j] = c === '"' ? doubleQuoted(s, 0, l.no) : singleQuoted(s, 0, l.no);
      let m = j;
      while (s[m] === ' ') m++;
      if (s[m] !== ':' || (s[m + 1] !== undefined && s[m + 1] !== ' ')) return undefined;
      return [k, m + 1];
    }
    let colon = -1;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === ':' && (i + 1 === s.length || s[i + 1] === ' ')) {
        colon = i;
        break;
      }
      if (s[i] === '#' && i > 0 && s[i - 1] === ' ') return undefined;
    }
    if (colon < 0) return undefined;
    const key = s.slice(0, colon).trimEnd();
    if (!KEY_RE.test(key) || key === '__proto__' || key === '<<') throw new Unsupported('mapping key', l.no);
    if (plainValue(key, l.no) !== key) throw new Unsupported('non-string key', l.no);
    return [key, colon + 1];
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const firstLine = new Map<string, number>();
    for (;;) {
      const l = this.peek();
      if (!l || l.indent < indent) return out;
      if (l.indent > indent) throw new Unsupported('indentation', l.no);
      if (l.text === '-' || l.text.startsWith('- ')) throw new Unsupported('sequence item in a mapping', l.no);
      const kv = this.keyOf(l);
      if (!kv) throw new Unsupported('not a key: value line', l.no);
      const [key, at] = kv;
      const prev = firstLine.get(key);
      if (prev !== undefined) throw new Duplicate(key, l.no, prev);
      firstLine.set(key, l.no);
      this.pos++;
      const rest = l.text.slice(at).trim();
      let value: unknown;
      if (rest === '' || rest[0] === '#') {
        const next = this.peek();
        if (next && next.indent > indent) value = this.node(next.indent);
        else if (next && next.indent === indent && (next.text === '-' || next.text.startsWith('- '))) value = this.sequence(indent);
        else value = null;
      } else if (rest[0] === '|' || rest[0] === '>') {
        value = this.blockScalar(rest, l.no, indent);
      } else {
        value = this.inlineValue(rest, l.no, indent);
        this.noContinuation(indent, l.no);
      }
      out[key] = value;
    }
  }

  /** A value written on the key's (or dash's) line: quoted, flow, or plain. */
  private inlineValue(rest: string, no: number, indent: number): unknown {
    const c = rest[0];
    if (c === '"' || c === "'") {
      const [v, j] = c === '"' ? doubleQuoted(rest, 0, no) : singleQuoted(rest, 0, no);
      restIsBlank(rest, j, no);
      return v;
    }
    if (c === '[' || c === '{') {
      const [v, j] = flow(rest, 0, no, 0);
      restIsBlank(rest, j, no);
      return v;
    }
    if (c === '|' || c === '>') return this.blockScalar(rest, no, indent);
    if (INDICATOR.has(c) && !(c === '-' && rest.length > 1 && rest[1] !== ' ')) throw new Unsupported('indicator', no);
    const hash = commentAt(rest, 0);
    const text = (hash < 0 ? rest : rest.slice(0, hash)).trimEnd();
    if (text.includes(': ') || text.endsWith(':')) throw new Unsupported('colon in plain scalar', no);
    return plainValue(text, no);
  }

  private blockScalar(header: string, no: number, indent: number): string {
    const m = /^([|>])([-+]?)(\s+#.*)?\s*$/.exec(header);
    if (!m || m[2] === '+') throw new Unsupported('block scalar header', no);
    const folded = m[1] === '>';
    const strip = m[2] === '-';
    const body: string[] = [];
    let blockIndent = -1;
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      const raw = this.all[l.no - 1];
      if (l.text === '') {
        if (blockIndent >= 0 && raw.length > blockIndent) throw new Unsupported('blank line with spaces in block scalar', l.no);
        if (blockIndent < 0 && raw.length > indent + 1) throw new Unsupported('leading blank line with spaces in block scalar', l.no);
        body.push('');
        this.pos++;
        continue;
      }
      if (l.indent <= indent) break;
      if (blockIndent < 0) {
        blockIndent = l.indent;
        if (body.length > 0) throw new Unsupported('leading blank lines in block scalar', l.no);
      }
      if (l.indent < blockIndent) throw new Unsupported('less-indented block scalar line', l.no);
      const text = raw.slice(blockIndent);
      if (folded && (text[0] === ' ' || text[0] === '\t')) throw new Unsupported('more-indented folded line', l.no);
      body.push(text);
      this.pos++;
    }
    // Trailing blank lines are not content (clip/strip).
    let end = body.length;
    while (end > 0 && body[end - 1] === '') end--;
    // Blank lines before the next key were consumed: give them back (they are outside the scalar).
    this.pos -= body.length - end;
    const lines = body.slice(0, end);
    if (lines.length === 0) return '';
    let out: string;
    if (!folded) out = lines.join('\n');
    else {
      out = lines[0];
      let blanks = 0;
      for (let k = 1; k < lines.length; k++) {
        if (lines[k] === '') {
          blanks++;
          continue;
        }
        out += blanks > 0 ? '\n'.repeat(blanks) : ' ';
        out += lines[k];
        blanks = 0;
      }
    }
    return strip ? out : out + '\n';
  }
}

/** Reads `text` with the fast path; see the header for what it accepts. */
export function parseYamlFast(text: string): FastYaml {
  const all = text.split('\n');
  const lines: Line[] = new Array(all.length);
  for (let k = 0; k < all.length; k++) {
    let raw = all[k];
    if (raw.endsWith('\r')) raw = all[k] = raw.slice(0, -1);
    if (k === 0 && raw.charCodeAt(0) === 0xfeff) raw = all[k] = raw.slice(1);
    let i = 0;
    while (raw.charCodeAt(i) === 32) i++;
    const rest = raw.slice(i);
    if (rest[0] === '\t') return { kind: 'unsupported', why: 'tab in indentation', line: k + 1 };
    const body = rest.trimEnd();
    if (i === 0 && (body.startsWith('---') || body.startsWith('...') || body[0] === '%')) {
      return { kind: 'unsupported', why: 'document marker or directive', line: k + 1 };
    }
    lines[k] = { indent: i, text: body, no: k + 1, raw };
  }
  try {
    return { kind: 'ok', value: new Reader(lines, all).document() };
  } catch (e) {
    if (e instanceof Duplicate) return { kind: 'duplicate', key: e.key, line: e.line, firstLine: e.firstLine };
    if (e instanceof TooDeep) return { kind: 'tooDeep', line: e.line };
    if (e instanceof Unsupported) return { kind: 'unsupported', why: e.why, line: e.line };
    throw e;
  }
}
