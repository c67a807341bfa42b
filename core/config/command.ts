// Expands a command template (e.g. `runQuantumCommand`) straight into an argument vector, so commands are never
// spliced into `sh -c`. Words split on unquoted whitespace, also inside the values of unquoted `{var}`s (whose
// quotes count too: `pipetaskDataQuery: '-d "{dataQuery}"'` gives two words however many spaces the query has).
// Inside "..." or '...' values are inserted as one word; `{var}`s expand in both kinds of quotes (as in BPS).
// An unquoted variable that expands to nothing gives no word (`{extraRunQuantumOptions}` = "").

import { BadInputError } from '../errors.js';
import {
  applyFormat,
  envValue,
  expandString,
  matchEnv,
  matchVar,
  resolveVar,
  scalarText,
  undefinedVarError,
  checkExpandedSize,
  withVar,
  type ExpandState,
} from './expand.js';

type Token = { sep: true } | { sep: false; text: string; word: boolean };

function quoteError(quote: string, template: string, st: ExpandState): BadInputError {
  return new BadInputError(`unterminated ${quote} quote in command template "${template}"; close the quote`, {
    file: st.src.configFile,
    key: st.keyed ? st.stack[0] : undefined,
  });
}

/** The tokens of one expansion and the characters they hold (bounded like expandString's output). */
interface TokenList {
  list: Token[];
  chars: number;
}

function push(out: TokenList, token: Token, st: ExpandState): void {
  out.list.push(token);
  if (!token.sep) {
    out.chars += token.text.length;
    checkExpandedSize(out.chars, st);
  }
}

function tokens(template: string, st: ExpandState, out: TokenList): void {
  const n = template.length;
  let i = 0;
  while (i < n) {
    const c = template[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      push(out, { sep: true }, st);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let inner = '';
      while (j < n && template[j] !== c) {
        if (c === '"' && template[j] === '\\' && (template[j + 1] === '"' || template[j + 1] === '\\')) {
          inner += template[j + 1];
          j += 2;
        } else {
          inner += template[j];
          j++;
        }
      }
      if (j >= n) throw quoteError(c === '"' ? 'double' : 'single', template, st);
      push(out, { sep: false, text: expandString(inner, st), word: true }, st);
      i = j + 1;
    } else if (c === '\\' && i + 1 < n) {
      push(out, { sep: false, text: template[i + 1], word: true }, st);
      i += 2;
    } else if (c === '$' && template[i + 1] === '{' && matchEnv(template, i)) {
      const m = matchEnv(template, i)!;
      push(out, { sep: false, text: envValue(m[1], st), word: false }, st);
      i += m[0].length;
    } else if ((c === '{' && template[i + 1] === '{') || (c === '}' && template[i + 1] === '}')) {
      push(out, { sep: false, text: st.mode === 'keep' ? c + c : c, word: true }, st);
      i += 2;
    } else if (c === '{' && matchVar(template, i)) {
      const m = matchVar(template, i)!;
      varTokens(m[1], m[2], m[0], st, out);
      i += m[0].length;
    } else {
      push(out, { sep: false, text: c, word: true }, st);
      i++;
    }
  }
}

function varTokens(name: string, spec: string | undefined, raw: string, st: ExpandState, out: TokenList): void {
  const r = resolveVar(name, st);
  if (r.kind === 'extra') {
    push(out, { sep: false, text: applyFormat(r.text, spec, name, st), word: false }, st);
  } else if (r.kind === 'missing') {
    if (st.mode === 'error') throw undefinedVarError(name, st);
    push(out, { sep: false, text: st.mode === 'keep' ? raw : '', word: false }, st);
  } else {
    const v = r.hit.value;
    withVar(name, st, () => {
      if (typeof v !== 'string') push(out, { sep: false, text: applyFormat(scalarText(name, r.hit, st), spec, name, st), word: false }, st);
      else if (spec) push(out, { sep: false, text: applyFormat(expandString(v, st), spec, name, st), word: false }, st);
      else tokens(v, st, out);
    });
  }
}

/** Expands a command template into argv (see the header). */
export function expandArgv(template: string, st: ExpandState): string[] {
  const toks: TokenList = { list: [], chars: 0 };
  tokens(template, st, toks);
  const words: string[] = [];
  let cur: string | undefined;
  for (const t of toks.list) {
    if (t.sep) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else if (t.text.length > 0 || t.word) {
      cur = (cur ?? '') + t.text;
    }
  }
  if (cur !== undefined) words.push(cur);
  return words;
}
