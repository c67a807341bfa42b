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

function tokens(template: string, st: ExpandState, out: Token[]): void {
  const n = template.length;
  let i = 0;
  while (i < n) {
    const c = template[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      out.push({ sep: true });
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
      out.push({ sep: false, text: expandString(inner, st), word: true });
      i = j + 1;
    } else if (c === '\\' && i + 1 < n) {
      out.push({ sep: false, text: template[i + 1], word: true });
      i += 2;
    } else if (c === '$' && template[i + 1] === '{' && matchEnv(template, i)) {
      const m = matchEnv(template, i)!;
      out.push({ sep: false, text: envValue(m[1], st), word: false });
      i += m[0].length;
    } else if ((c === '{' && template[i + 1] === '{') || (c === '}' && template[i + 1] === '}')) {
      out.push({ sep: false, text: st.mode === 'keep' ? c + c : c, word: true });
      i += 2;
    } else if (c === '{' && matchVar(template, i)) {
      const m = matchVar(template, i)!;
      varTokens(m[1], m[2], m[0], st, out);
      i += m[0].length;
    } else {
      out.push({ sep: false, text: c, word: true });
      i++;
    }
  }
}

function varTokens(name: string, spec: string | undefined, raw: string, st: ExpandState, out: Token[]): void {
  const r = resolveVar(name, st);
  if (r.kind === 'extra') {
    out.push({ sep: false, text: applyFormat(r.text, spec, name, st), word: false });
  } else if (r.kind === 'missing') {
    if (st.mode === 'error') throw undefinedVarError(name, st);
    out.push({ sep: false, text: st.mode === 'keep' ? raw : '', word: false });
  } else {
    const v = r.hit.value;
    withVar(name, st, () => {
      if (typeof v !== 'string') out.push({ sep: false, text: applyFormat(scalarText(name, r.hit, st), spec, name, st), word: false });
      else if (spec) out.push({ sep: false, text: applyFormat(expandString(v, st), spec, name, st), word: false });
      else tokens(v, st, out);
    });
  }
}

/** Expands a command template into argv (see the header). */
export function expandArgv(template: string, st: ExpandState): string[] {
  const toks: Token[] = [];
  tokens(template, st, toks);
  const words: string[] = [];
  let cur: string | undefined;
  for (const t of toks) {
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
