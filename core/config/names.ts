// Names that become paths or ids (uniqProcName, outputRun, output, payloadName, operator; job names and labels;
// campaign, step and schedule names) are confined: no absolute paths, no '.' or '..' segments, no empty segments,
// no control characters, bounded lengths, and a documented character set (letters, digits and _ - . + @ = :; for
// campaign, step and schedule names only letters, digits, _ and -), with '/' only between segments of collection
// names. A name that breaks a rule is bad input naming its key, so nothing tbps writes can land outside its submit
// tree (core/files/confined.ts checks every write again).
import { BadInputError } from '../errors.js';

const SEGMENT = /^[A-Za-z0-9_.+@=:-]+$/;
/** Longest segment of a config name: it is joined with suffixes (`<uniqProcName>.qgraph.jsonl`) into one file name (255). */
export const MAX_SEGMENT = 200;

/** The problem with a name, or undefined when it is fine. `collection`: '/' separates segments. */
export function nameProblem(value: string, collection: boolean): string | undefined {
  if (value === '') return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a control character';
  if (value.startsWith('/')) return 'is an absolute path';
  const segments = collection ? value.split('/') : [value];
  if (!collection && value.includes('/')) return "contains '/'";
  for (const s of segments) {
    if (s === '') return "has an empty segment ('//' or a trailing '/')";
    if (s === '.' || s === '..') return `has a '${s}' segment`;
    if (s.length > MAX_SEGMENT) return `has a segment longer than ${MAX_SEGMENT} characters`;
    if (!SEGMENT.test(s)) return `has characters outside letters, digits and _ - . + @ = :${collection ? " (and '/' between segments)" : ''}`;
  }
  return undefined;
}

/** Throws BadInputError naming the key and the file when the name breaks a rule. */
export function checkName(value: string, key: string, opts: { collection?: boolean; file?: string } = {}): void {
  const problem = nameProblem(value, !!opts.collection);
  if (problem) {
    throw new BadInputError(`${JSON.stringify(value)} ${problem}; it becomes a path, so use e.g. ${opts.collection ? "'u/alice/DM-12345/run1'" : "'alice_run1'"}`, {
      file: opts.file,
      key,
    });
  }
}

/**
 * The config keys whose values become paths or ids, and whether '/' separates collection segments in them; in
 * the order they derive from each other, so a bad name is reported at the key the user wrote.
 */
export const NAME_KEYS: ReadonlyArray<{ key: string; collection: boolean }> = [
  { key: 'operator', collection: false },
  { key: 'payloadName', collection: false },
  { key: 'output', collection: true },
  { key: 'outputRun', collection: true },
  { key: 'uniqProcName', collection: false },
];

/**
 * The problem with a job name or task label used as one path segment (jobs/<label>/<name>.<attempt>.out), or
 * undefined. Looser than config names (data-id values such as DECam filters hold spaces), but never a separator,
 * a '.'/'..' segment or a control character.
 */
export function segmentProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a control character';
  if (value.includes('/') || value.includes('\\')) return 'contains a path separator';
  if (value === '.' || value === '..') return `is '${value}'`;
  if (value.length > MAX_JOB_SEGMENT) return `is longer than ${MAX_JOB_SEGMENT} characters`;
  return undefined;
}

/** Longest job name or label (a file name <name>.<attempt>.out must fit in 255). */
export const MAX_JOB_SEGMENT = 240;

/**
 * Campaign, step and schedule names join into workflow ids (campaign/<name>), run names (<campaign>_<step>_g<k>),
 * submit directories and output collections (<output>/<step>), so their character set is the narrowest: letters,
 * digits, _ and -, starting with a letter or digit, at most `max` characters. The problem, or undefined.
 */
export function campaignNameProblem(value: string, max = 100): string | undefined {
  const general = nameProblem(value, false);
  if (general) return general;
  if (!/^[A-Za-z0-9]/.test(value)) return 'does not start with a letter or digit';
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return 'has characters outside letters, digits, _ and -';
  if (value.length > max) return `is longer than ${max} characters`;
  return undefined;
}

/** Throws BadInputError naming the key when a campaign, step or schedule name breaks a rule. */
export function checkCampaignName(value: string, key: string, opts: { file?: string; max?: number } = {}): void {
  const problem = campaignNameProblem(value, opts.max);
  if (problem) throw new BadInputError(`${JSON.stringify(value)} ${problem}; it becomes part of ids, run names and paths, so use e.g. 'drp_rc2'`, { file: opts.file, key });
}
