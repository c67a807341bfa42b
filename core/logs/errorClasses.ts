// Error classes (as DESDM's QCF and PanDA's retry rules): operator-defined patterns matched over the end of a failed
// attempt's log. The first class whose pattern matches a line (and whose exitCodes, when given, hold the exit code)
// names the failure; its action feeds the retry decision (core/run/retryDecision.ts) on every workload system.
//
// Config: `errorClasses:` (the submit YAML's own, matched first) then `defaultErrorClasses:` (config/bps_defaults.yaml;
// set it to [] to drop them). Each entry: {name, pattern, exitCodes?, action?: retry|fail}. Without an action the
// exit-code rule (retryUnlessExit) decides. A name may use $1 for the pattern's first group ("python:$1").
import { readFileSync, statSync } from 'node:fs';
import { writeFileUnder } from '../files/confined.js';
import path from 'node:path';
import { z } from 'zod';
import { BadInputError } from '../errors.js';

export type ErrorAction = 'retry' | 'fail';

export interface ErrorClassRule {
  name: string;
  pattern: string;
  exitCodes?: number[];
  action?: ErrorAction;
}

export interface ErrorClassMatch {
  /** The class name ($1 filled in). */
  name: string;
  /** The log line that matched (trimmed, at most 300 characters). */
  line: string;
  action?: ErrorAction;
}

/** Names are also file-name-safe tokens in reports: letters, digits and . _ : - (after $1 is filled). */
const NAME = /^[A-Za-z0-9._:$-]{1,64}$/;
const MAX_LINE = 300;

const ruleSchema = z
  .object({
    name: z.string().regex(NAME, 'a name of letters, digits and . _ : - (at most 64; $1 = the first group)'),
    pattern: z.string().min(1, 'a non-empty regular expression'),
    exitCodes: z.array(z.number().int().min(0).max(255)).optional(),
    action: z.enum(['retry', 'fail']).optional(),
  })
  .strict();

/**
 * Checks the raw value of an error-class list (from the config) and returns the rules. Throws BadInputError naming
 * the file, the key (`errorClasses[2].pattern`) and the problem.
 */
export function parseErrorClasses(raw: unknown, key: string, file?: string): ErrorClassRule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    throw new BadInputError('expected a list of {name, pattern, exitCodes?, action?: retry|fail}', { file, key });
  }
  return raw.map((entry, i) => {
    const parsed = ruleSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const sub = issue.path.length ? `.${issue.path.join('.')}` : '';
      throw new BadInputError(issue.message, { file, key: `${key}[${i}]${sub}` });
    }
    try {
      new RegExp(parsed.data.pattern);
    } catch (err) {
      throw new BadInputError(`invalid regular expression: ${(err as Error).message}`, { file, key: `${key}[${i}].pattern` });
    }
    return parsed.data as ErrorClassRule;
  });
}

interface Compiled extends ErrorClassRule {
  re: RegExp;
}

/** A compiled list of rules, matched in order. */
export class ErrorClassifier {
  readonly #rules: Compiled[];

  constructor(rules: readonly ErrorClassRule[]) {
    this.#rules = rules.map((r) => ({ ...r, re: new RegExp(r.pattern) }));
  }

  get size(): number {
    return this.#rules.length;
  }

  /**
   * The first class (in rule order) with a matching line in `texts` (searched in the order given, e.g. the
   * executor's own reason, then the stderr tail, then the stdout tail; lines first to last, so the first exception
   * of a chain wins).
   */
  match(exitCode: number | null, texts: readonly string[]): ErrorClassMatch | undefined {
    const lines = texts.flatMap((t) => t.split(/\r?\n/)).filter((l) => l.trim() !== '');
    for (const rule of this.#rules) {
      if (rule.exitCodes && (exitCode === null || !rule.exitCodes.includes(exitCode))) continue;
      for (const line of lines) {
        const m = rule.re.exec(line);
        if (!m) continue;
        const name = rule.name.replace(/\$1/g, m[1] ?? '');
        const text = line.trim();
        return { name, line: text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text, action: rule.action };
      }
    }
    return undefined;
  }
}

/** The effective rules of a config: its `errorClasses`, then `defaultErrorClasses`. */
export function errorClassesOf(config: { get(key: string): unknown; fileOf(path: string): string | undefined }): ErrorClassRule[] {
  return ['errorClasses', 'defaultErrorClasses'].flatMap((key) => parseErrorClasses(config.get(key), key, config.fileOf(key)));
}

/** Where transform writes a run's rules: <submitPath>/generic_workflow/error_classes.json. */
export function errorClassesFile(submitPath: string): string {
  return path.join(submitPath, 'generic_workflow', 'error_classes.json');
}

export function writeErrorClasses(submitPath: string, rules: readonly ErrorClassRule[]): void {
  writeFileUnder(submitPath, errorClassesFile(submitPath), `${JSON.stringify(rules, null, 1)}\n`);
}

const loaded = new Map<string, { mtimeMs: number; classifier: ErrorClassifier }>();

/** The classifier of a run (cached per submit directory; no file, as for runs made before error classes: none). */
export function runClassifier(submitPath: string): ErrorClassifier {
  const file = errorClassesFile(submitPath);
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return new ErrorClassifier([]);
  }
  const hit = loaded.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.classifier;
  const classifier = new ErrorClassifier(parseErrorClasses(JSON.parse(readFileSync(file, 'utf8')), 'errorClasses', file));
  if (loaded.size > 200) loaded.clear();
  loaded.set(file, { mtimeMs, classifier });
  return classifier;
}
