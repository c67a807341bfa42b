// The bad-input corpus of tests/fixtures/bad/: reads the manifest (cases.yaml), lays out one case in a fresh
// directory (a copy of base/ plus the case's own files, big files generated), snapshots directory trees, and
// checks one CLI outcome against the promise: exit 2, one line on stderr, the key (and file, and pattern) named.
import { closeSync, cpSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../../paths/index.js';

export const CORPUS_DIR = path.join(repoRoot, 'tests', 'fixtures', 'bad');

export interface BadCase {
  id: string;
  /** Relative to CORPUS_DIR: a file (copied by its name) or a folder (its contents copied); [] = none. */
  files: string[];
  run: string[];
  key: string;
  file?: string;
  match?: RegExp;
  env: Record<string, string>;
  generate: Record<string, { mib: number }>;
  area?: 'config' | 'cli' | 'confine';
}

const FIELDS = new Set(['id', 'files', 'run', 'key', 'file', 'match', 'env', 'generate', 'area']);

function fail(id: string, problem: string): never {
  throw new Error(`${path.join(CORPUS_DIR, 'cases.yaml')}: case '${id}': ${problem}`);
}

/** The default files of a case: <id>.yaml, else the folder <id>/. */
function defaultFiles(id: string): string[] {
  if (existsSync(path.join(CORPUS_DIR, `${id}.yaml`))) return [`${id}.yaml`];
  if (existsSync(path.join(CORPUS_DIR, id)) && statSync(path.join(CORPUS_DIR, id)).isDirectory()) return [id];
  return fail(id, `no ${id}.yaml or ${id}/ under ${CORPUS_DIR}; give 'files'`);
}

/** The default command: submit the case's config (<basename>.yaml, or config.yaml of a folder). */
function defaultRun(id: string, files: string[]): string[] {
  const only = files[0];
  if (files.length !== 1) return fail(id, "give 'run' (no single file to submit)");
  return ['submit', only.endsWith('.yaml') ? path.basename(only) : 'config.yaml'];
}

export function loadCorpus(): BadCase[] {
  const doc = parseYaml(readFileSync(path.join(CORPUS_DIR, 'cases.yaml'), 'utf8')) as { cases?: unknown };
  if (!doc || !Array.isArray(doc.cases)) throw new Error(`${CORPUS_DIR}/cases.yaml: expected a 'cases' list`);
  const seen = new Set<string>();
  return doc.cases.map((raw: Record<string, unknown>, i: number) => {
    const id = typeof raw?.id === 'string' ? raw.id : fail(`#${i + 1}`, "no 'id'");
    if (seen.has(id)) fail(id, 'duplicate id');
    seen.add(id);
    for (const k of Object.keys(raw)) if (!FIELDS.has(k)) fail(id, `unknown field '${k}'`);
    if (typeof raw.key !== 'string' || raw.key === '') fail(id, "'key' must name what the message names");
    const files = raw.files === undefined ? defaultFiles(id) : (raw.files as string[]);
    if (!Array.isArray(files)) fail(id, "'files' must be a list");
    for (const f of files) if (!existsSync(path.join(CORPUS_DIR, f))) fail(id, `file '${f}' does not exist`);
    const run = raw.run === undefined ? defaultRun(id, files) : (raw.run as unknown[]).map(String);
    const area = raw.area as BadCase['area'];
    if (area !== undefined && !['config', 'cli', 'confine'].includes(area)) fail(id, `unknown area '${String(area)}'`);
    return {
      id,
      files,
      run,
      key: raw.key as string,
      file: raw.file as string | undefined,
      match: raw.match === undefined ? undefined : new RegExp(String(raw.match), 'i'),
      env: (raw.env ?? {}) as Record<string, string>,
      generate: (raw.generate ?? {}) as Record<string, { mib: number }>,
      area,
    };
  });
}

/** Writes a valid submit YAML of about `mib` MiB: the base config plus many small keys (no one huge value). */
export function writeBigConfig(file: string, mib: number): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, `# generated: a valid config of about ${mib} MiB\nincludeConfigs: [base/run.yaml]\n`);
    const pad = 'x'.repeat(100);
    const chunk: string[] = [];
    let written = 0;
    for (let i = 0; written < mib * 1024 * 1024; i++) {
      const line = `corpusFiller${String(i).padStart(8, '0')}: "${pad}"\n`;
      chunk.push(line);
      written += line.length;
      if (chunk.length === 10_000) writeSync(fd, chunk.splice(0).join(''));
    }
    writeSync(fd, chunk.join(''));
  } finally {
    closeSync(fd);
  }
}

/** Lays the case out in `dir` (created): base/, the case's files, generated files. */
export function prepareCase(c: BadCase, dir: string): void {
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(CORPUS_DIR, 'base'), path.join(dir, 'base'), { recursive: true });
  for (const f of c.files) {
    const src = path.join(CORPUS_DIR, f);
    if (statSync(src).isDirectory()) cpSync(src, dir, { recursive: true });
    else cpSync(src, path.join(dir, path.basename(f)));
  }
  for (const [name, g] of Object.entries(c.generate)) writeBigConfig(path.join(dir, name), g.mib);
}

/** Every entry under `dir` (relative path -> "size mode" of files, "dir mode" of folders); `skip` drops entries. */
export function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel ? path.join(rel, name) : name;
      if (skip(r)) continue;
      const st = lstatSync(path.join(dir, r));
      out.set(r, st.isDirectory() ? `dir ${st.mode.toString(8)}` : `${st.size} ${st.mode.toString(8)}`);
      if (st.isDirectory()) walk(r);
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

/** Entries added, removed or changed between two snapshots. */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const diff: string[] = [];
  for (const [k, v] of after) if (before.get(k) !== v) diff.push(`${before.has(k) ? 'changed' : 'new'}: ${k}`);
  for (const k of before.keys()) if (!after.has(k)) diff.push(`removed: ${k}`);
  return diff;
}

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** What is wrong with the outcome of a case (empty when it keeps the promise). */
export function outcomeProblems(c: BadCase, r: Outcome): string[] {
  const problems: string[] = [];
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (r.code !== 2) problems.push(`exit code ${r.code}, expected 2`);
  if (lines.length !== 1) problems.push(`${lines.length} lines on stderr, expected exactly 1`);
  if (!r.stderr.includes(c.key)) problems.push(`the message does not name '${c.key}'`);
  if (c.file && !r.stderr.includes(c.file)) problems.push(`the message does not name the file '${c.file}'`);
  if (c.match && !c.match.test(r.stderr)) problems.push(`the message does not match ${c.match}`);
  if (/Submitted run|Started campaign|created schedule/.test(r.stdout)) problems.push('stdout says something was started');
  return problems;
}

/** First line of what the CLI said (for reports). */
export function firstLine(r: Outcome): string {
  return (r.stderr.trim() || r.stdout.trim() || '(no output)').split('\n')[0].slice(0, 300);
}
