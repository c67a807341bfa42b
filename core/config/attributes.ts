// Per-job values (requestMemory, retries, site, environment, ...): their zod rules and jobAttributes(ctx),
// which reads each one by the BPS search order and reports a bad value with the file and full key that set it.

import { z } from 'zod';
import { BadInputError } from '../errors.js';
import type { Hit } from './lookup.js';
import { isMapping } from './merge.js';
import type { JobAttributes, LookupContext } from './types.js';
import { boolSchema, numberListSchema, numberSchema, showValue, walltimeSchema } from './values.js';

export interface AttributeSpec {
  schema: z.ZodType<unknown>;
  /** What a right value looks like, for messages: "expected <expect>, got ...". */
  expect: string;
  required: boolean;
}

const mib = numberSchema.pipe(z.number().positive());
const str = z.union([z.string(), z.number()]).transform(String);

export const ATTRIBUTE_SPECS: Record<Exclude<keyof JobAttributes, 'environment'>, AttributeSpec> = {
  requestMemory: { schema: mib, expect: 'a number of MiB (e.g. 4096)', required: true },
  requestMemoryMax: { schema: mib, expect: 'a number of MiB (e.g. 16384)', required: false },
  memoryMultiplier: {
    schema: numberSchema.pipe(z.number().min(1)),
    expect: 'a number >= 1 (e.g. 2; 1 turns memory escalation off)',
    required: true,
  },
  memoryLimit: { schema: mib, expect: 'a number of MiB (e.g. 491520)', required: false },
  requestCpus: { schema: numberSchema.pipe(z.number().int().positive()), expect: 'a whole number of CPUs >= 1 (e.g. 4)', required: true },
  requestDisk: { schema: numberSchema.pipe(z.number().min(0)), expect: 'a number of MiB (e.g. 10240)', required: false },
  requestWalltime: {
    schema: walltimeSchema.pipe(z.number().min(0)),
    expect: 'a wall time in seconds (e.g. 3600) or "H:MM:SS"',
    required: false,
  },
  numberOfRetries: { schema: numberSchema.pipe(z.number().int().min(0)), expect: 'a whole number >= 0 (e.g. 5)', required: true },
  // BPS takes one exit code or a YAML list of them; a string ("1,2") is refused, not split.
  retryUnlessExit: {
    schema: z.union([z.number().int().transform((n) => [n]), z.array(z.number().int())]),
    expect: 'an exit code or a list of exit codes (e.g. 2 or [1, 2])',
    required: true,
  },
  abortOnValue: { schema: numberSchema.pipe(z.number().int()), expect: 'an exit code (e.g. 3)', required: false },
  priority: { schema: numberSchema.pipe(z.number().int()), expect: 'a whole number (e.g. 10)', required: false },
  concurrencyLimit: { schema: str.pipe(z.string().min(1)), expect: 'a limit name (e.g. db_limit)', required: false },
  queue: { schema: str.pipe(z.string().min(1)), expect: 'a queue or partition name', required: false },
  computeSite: { schema: str.pipe(z.string().min(1)), expect: 'a site name (e.g. local)', required: true },
  preemptible: { schema: boolSchema, expect: 'true or false', required: false },
};

export const ATTRIBUTE_KEYS = [...Object.keys(ATTRIBUTE_SPECS), 'environment'] as const;

/** What jobAttributes needs from the config (implemented by BpsConfig). */
export interface AttributeReader {
  locate(key: string, ctx?: LookupContext): Hit | undefined;
  expandValue(value: string, ctx: LookupContext | undefined, key: string, path: string): string;
  fileOf(path: string): string | undefined;
  readonly configFile?: string;
  resolveSite(ctx?: LookupContext): string | undefined;
}

function needsExpansion(v: unknown): v is string {
  return typeof v === 'string' && (v.includes('{') || v.includes('${'));
}

export function badValue(spec: AttributeSpec, raw: unknown, expanded: unknown, file: string | undefined, key: string): BadInputError {
  const from = expanded !== raw ? ` (from ${showValue(raw)})` : '';
  return new BadInputError(`expected ${spec.expect}, got ${showValue(expanded)}${from}`, { file, key });
}

/** Checks a raw value as written (no expansion); templates are checked when a job reads them. */
export function checkRawAttribute(name: string, raw: unknown, file: string | undefined, path: string): void {
  if (raw === null || raw === undefined) return;
  if (name === 'environment') {
    checkEnvironmentShape(raw, file, path);
    return;
  }
  const spec = (ATTRIBUTE_SPECS as Record<string, AttributeSpec>)[name];
  if (!spec || needsExpansion(raw) || (raw === '' && !spec.required)) return;
  if (!spec.schema.safeParse(raw).success) throw badValue(spec, raw, raw, file, path);
}

export function checkEnvironmentShape(raw: unknown, file: string | undefined, path: string): void {
  if (!isMapping(raw)) {
    throw new BadInputError(`expected a mapping of variable names to values (e.g. environment: {OMP_NUM_THREADS: 1}), got ${showValue(raw)}`, {
      file,
      key: path,
    });
  }
  for (const [k, v] of Object.entries(raw)) {
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new BadInputError(`expected a string or number for environment variable ${k}, got ${showValue(v)}`, {
        file,
        key: `${path}.${k}`,
      });
    }
  }
}

/** Reads one attribute by search order, expanded and validated; undefined when unset and optional. */
export function readAttribute(cfg: AttributeReader, name: keyof typeof ATTRIBUTE_SPECS, ctx: LookupContext | undefined): unknown {
  const spec = ATTRIBUTE_SPECS[name];
  const hit = cfg.locate(name, ctx);
  if (!hit || (hit.value === '' && !spec.required)) {
    if (!spec.required) return undefined;
    throw new BadInputError(`is not set; set ${name} to ${spec.expect}`, { file: cfg.configFile, key: name });
  }
  const value = needsExpansion(hit.value) ? cfg.expandValue(hit.value, ctx, name, hit.path) : hit.value;
  if (value === '' && !spec.required) return undefined;
  const r = spec.schema.safeParse(value);
  if (!r.success) throw badValue(spec, hit.value, value, cfg.fileOf(hit.path), hit.path);
  return r.data;
}

function readEnvironment(cfg: AttributeReader, ctx: LookupContext | undefined): Record<string, string> {
  const hit = cfg.locate('environment', ctx);
  if (!hit) return {};
  checkEnvironmentShape(hit.value, cfg.fileOf(hit.path), hit.path);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(hit.value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    const path = `${hit.path}.${k}`;
    out[k] = typeof v === 'string' ? cfg.expandValue(v, ctx, path, path) : String(v);
  }
  return out;
}

/** All per-job values for a context (see JobAttributes). */
export function jobAttributes(cfg: AttributeReader, ctx: LookupContext = {}): JobAttributes {
  const read = <K extends keyof typeof ATTRIBUTE_SPECS>(k: K) => readAttribute(cfg, k, ctx) as JobAttributes[K];
  const site = cfg.resolveSite(ctx);
  if (site === undefined || site === '') {
    throw new BadInputError(`is not set; set computeSite to ${ATTRIBUTE_SPECS.computeSite.expect}`, {
      file: cfg.configFile,
      key: 'computeSite',
    });
  }
  const attrs: JobAttributes = {
    requestMemory: read('requestMemory'),
    requestMemoryMax: read('requestMemoryMax'),
    memoryMultiplier: read('memoryMultiplier'),
    memoryLimit: read('memoryLimit'),
    requestCpus: read('requestCpus'),
    requestDisk: read('requestDisk'),
    requestWalltime: read('requestWalltime'),
    numberOfRetries: read('numberOfRetries'),
    retryUnlessExit: read('retryUnlessExit'),
    abortOnValue: read('abortOnValue'),
    priority: read('priority'),
    concurrencyLimit: read('concurrencyLimit'),
    queue: read('queue'),
    computeSite: site,
    environment: readEnvironment(cfg, ctx),
    preemptible: read('preemptible'),
  };
  for (const k of Object.keys(attrs) as (keyof JobAttributes)[]) {
    if (attrs[k] === undefined) delete attrs[k];
  }
  return attrs;
}
