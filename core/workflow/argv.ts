// Command templates -> argument vectors, compiled once per job label and filled per job.
// The template is tokenised into words with shell-like quoting and each word expanded by BpsConfig.getArgv (never
// through a shell). Job-time placeholders ({qgraphNodeId}, {jobName}, {clusterName}, and dimension names such as
// {visit} taken from the cluster's tags or the quantum's data id) survive compilation as marked slots inside their
// words and are filled per job by plain string concatenation.

import { BadInputError } from '../errors.js';
import type { BpsConfig, LookupContext } from '../config/index.js';

/** Placeholders always filled per job (they win over any config key of the same name). */
export const JOB_VARS = ['qgraphNodeId', 'jobName', 'clusterName'] as const;

const OPEN = '\uE000';
const CLOSE = '\uE001';
const SLOT = /\uE000([A-Za-z_][A-Za-z0-9_.]*)\uE001|\{([A-Za-z_][A-Za-z0-9_.]*)\}|\{\{|\}\}/g;

/** A compiled word: constant text, or alternating literal text and placeholder names (odd indices). */
type Word = string | string[];

export interface CommandTemplate {
  /** Config key and tree path the template came from (for messages). */
  key: string;
  path?: string;
  file?: string;
  words: Word[];
  /** Names that must be filled per job (beyond JOB_VARS: dimension values). */
  jobNames: Set<string>;
}

function compileWord(word: string, jobNames: Set<string>): Word {
  if (!word.includes(OPEN) && !word.includes('{') && !word.includes('}')) return word;
  const parts: string[] = [];
  let lit = '';
  let last = 0;
  let hasSlot = false;
  for (const m of word.matchAll(SLOT)) {
    lit += word.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[0] === '{{') lit += '{';
    else if (m[0] === '}}') lit += '}';
    else {
      const name = m[1] ?? m[2];
      parts.push(lit, name);
      lit = '';
      hasSlot = true;
      jobNames.add(name);
    }
  }
  lit += word.slice(last);
  if (!hasSlot) return lit;
  parts.push(lit);
  return parts;
}

/**
 * Compile the command template found under `key` for a lookup context. `extra` values (qgraphFile, butlerConfig,
 * ...) are inserted at compile time; JOB_VARS and unknown `{names}` become per-job slots.
 */
export function compileCommand(
  config: BpsConfig,
  key: string,
  ctx: LookupContext,
  extra: Record<string, string | number>,
): CommandTemplate {
  const marks: Record<string, string> = {};
  for (const n of JOB_VARS) marks[n] = `${OPEN}${n}${CLOSE}`;
  const hit = config.locate(key, ctx);
  const words = config.getArgv(key, ctx, { ...extra, ...marks }, { undefinedVars: 'keep' });
  const jobNames = new Set<string>();
  const compiled = words.map((w) => compileWord(w, jobNames));
  return { key, path: hit?.path, file: hit ? config.fileOf(hit.path) : config.configFile, words: compiled, jobNames };
}

/** Fill a compiled template. `value(name)` returns the per-job value or undefined (then: BadInputError). */
export function fillCommand(t: CommandTemplate, value: (name: string) => string | number | undefined, job: string): string[] {
  const out: string[] = new Array(t.words.length);
  for (let k = 0; k < t.words.length; k++) {
    const w = t.words[k];
    if (typeof w === 'string') {
      out[k] = w;
      continue;
    }
    let s = w[0];
    for (let j = 1; j < w.length; j += 2) {
      const v = value(w[j]);
      if (v === undefined) throw undefinedJobVar(t, w[j], job);
      s += String(v) + w[j + 1];
    }
    out[k] = s;
  }
  return out;
}

export function undefinedJobVar(t: CommandTemplate, name: string, job: string): BadInputError {
  return new BadInputError(
    `undefined variable {${name}} in the command of job ${job}; define '${name}' in the submit YAML, ` +
      `or use one of {${JOB_VARS.join('}, {')}} or a dimension of the job's quanta`,
    { file: t.file, key: t.path ?? t.key },
  );
}
