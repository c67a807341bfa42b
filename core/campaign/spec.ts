// Campaign spec: an ordered list of steps over one base BPS config; each step is split into groups (one group =
// one run whose data query is ANDed with `dim IN (...)`). Pure (no node: imports): the workflow uses the same
// schema to validate `edit` updates. Files are read in load.ts.
import { z } from 'zod';
import { campaignNameProblem, nameProblem } from '../config/names.js';
import { BadInputError } from '../errors.js';

const scalar = z.union([z.string(), z.number()]);

/** Most values one split range may hold. */
const MAX_RANGE = 1_000_000;

/** Keys a campaign sets on each group's run itself; a step may not override them. */
export const CAMPAIGN_SET_KEYS = ['campaign', 'operator', 'output', 'outputRun', 'uniqProcName', 'campaignPriority', 'campaignMaxRunningJobs'] as const;

/** A string field checked by a name rule of core/config/names.ts; the message says what is wrong and gives an example. */
function nameField(problemOf: (v: string) => string | undefined, example: string) {
  return z.string().superRefine((v, ctx) => {
    const problem = problemOf(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} ${problem}; it becomes part of ids, run names and paths, so use e.g. '${example}'` });
  });
}

/** Placeholders a nightly template fills in output collections (nightly.ts). */
const NIGHT_FIELDS = /\{(night|dayObs|nightStart|nightEnd)\}/g;

export const splitSchema = z
  .strictObject({
    /** The dimension the groups are made of, e.g. visit, tract, exposure. */
    dimension: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'a dimension name such as visit or tract'),
    /** Explicit groups: each inner list is one group. */
    groups: z.array(z.array(scalar)).optional(),
    /** Values, cut into groups of `groupSize` (default: one group per value). */
    values: z.array(scalar).optional(),
    /** Integer ranges (inclusive), each range cut into groups of `groupSize` (default: one group per range). */
    ranges: z
      .array(
        z
          .strictObject({ from: z.number().int(), to: z.number().int() })
          .refine((r) => r.to >= r.from, { message: 'the range ends before it starts (to must be >= from)' })
          .refine((r) => r.to - r.from < MAX_RANGE, { message: `a range may hold at most ${MAX_RANGE} values` }),
      )
      .optional(),
    groupSize: z.number().int().positive().optional(),
  })
  .refine((s) => [s.groups, s.values, s.ranges].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of groups, values or ranges',
  });

export const failurePolicySchema = z.strictObject({
  /** pause: auto-pause the campaign when a step ends with more failed groups than maxFailedGroups; continue: go on. */
  onFailure: z.enum(['pause', 'continue']).default('pause'),
  maxFailedGroups: z.number().int().min(0).default(0),
});

const stepFields = {
  /** Letters, digits, _ and - (at most 64): part of run names <campaign>_<step>_g<k> and collections <output>/<step>. */
  name: nameField((v) => campaignNameProblem(v, 64), 'step1'),
  /** Pipeline (subset) of this step, e.g. "${DRP_PIPE_DIR}/pipelines/HSC/DRP-RC2.yaml#step1". */
  pipelineYaml: z.string().min(1).optional(),
  /** Data query of the step (default: the base config's dataQuery); group clauses are ANDed to it. */
  dataQuery: z.string().optional(),
  /** BPS config overrides of this step (dotted keys allowed), highest layer like command-line options. */
  overrides: z
    .record(z.string(), z.unknown())
    .superRefine((o, ctx) => {
      for (const k of CAMPAIGN_SET_KEYS) {
        if (Object.prototype.hasOwnProperty.call(o, k))
          ctx.addIssue({ code: 'custom', path: [k], message: `is set by the campaign for each group (name, output and operator of the spec); remove it from the step's overrides` });
      }
    })
    .optional(),
  split: splitSchema.optional(),
  /** Groups of this step in flight at once (default: the campaign's concurrency). */
  concurrency: z.number().int().positive().optional(),
  failurePolicy: failurePolicySchema.optional(),
  /** Manual gate: after the step ends, wait for `tbps campaign accept` before the next step. */
  gate: z.boolean().optional(),
};

export const stepSchema = z.strictObject(stepFields);
/** An edit of a not-yet-started step: any step field but the name. */
export const stepPatchSchema = z.strictObject({ ...stepFields, name: stepFields.name.optional() }).partial();

export const campaignSpecSchema = z
  .strictObject({
    /** Letters, digits, _ and - (at most 100): the workflow id campaign/<name>, run names, submit directories. */
    name: nameField((v) => campaignNameProblem(v), 'drp_rc2'),
    /** Base BPS submit YAML (relative to the campaign file). */
    baseConfig: z.string().min(1),
    /** Input collection(s) of the first step (default: the base config's inCollection). */
    inCollection: z.string().optional(),
    /** Prefix of the output collections: <output>/<step> per step, <output>/<step>/g<k> per group run. */
    output: nameField((v) => nameProblem(v.replace(NIGHT_FIELDS, 'x'), true), 'u/alice/drp_rc2').optional(),
    operator: nameField((v) => nameProblem(v, false), 'alice').optional(),
    project: z.string().optional(),
    concurrency: z.number().int().positive().default(4),
    /** Which campaign's jobs start first on a shared site: 1 (highest) ... 5 (lowest); default 3. */
    priority: z
      .number({ message: 'must be a whole number from 1 (highest) to 5 (lowest)' })
      .int('must be a whole number from 1 (highest) to 5 (lowest)')
      .min(1, 'must be a whole number from 1 (highest) to 5 (lowest)')
      .max(5, 'must be a whole number from 1 (highest) to 5 (lowest)')
      .optional(),
    /** Jobs of this campaign running at once on its site (over all its groups); default: no limit. */
    maxRunningJobs: z
      .number({ message: 'must be a whole number of jobs, 1 or more (leave it out for no limit)' })
      .int('must be a whole number of jobs, 1 or more (leave it out for no limit)')
      .min(1, 'must be a whole number of jobs, 1 or more (leave it out for no limit)')
      .optional(),
    failurePolicy: failurePolicySchema.default({ onFailure: 'pause', maxFailedGroups: 0 }),
    steps: z.array(stepSchema).min(1, 'a campaign needs at least one step'),
    /**
     * Nightly campaigns. With `dataNights` (synthetic campaigns; YYYY-MM-DD) the night has data when listed; without
     * it, a template whose first step reads a butler repository asks it for the night's exposures (nightlyData.ts).
     */
    nightly: z
      .strictObject({
        dataNights: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).optional(),
        /** The dimension the night's groups are made of (default exposure). */
        groupBy: z.enum(['exposure', 'visit']).optional(),
        /** Exposures (or visits) per group (default: the whole night in one group). */
        groupSize: z.number().int().positive().optional(),
        /** The dataset type whose presence in the input collection makes an exposure part of the night (default raw). */
        datasetType: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a dataset type name such as raw').optional(),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.steps.forEach((st, i) => {
      if (seen.has(st.name)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'name'], message: `duplicate step name '${st.name}'` });
      seen.add(st.name);
    });
  });

export type SplitSpec = z.infer<typeof splitSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
export type StepPatch = z.infer<typeof stepPatchSchema>;
export type FailurePolicy = z.infer<typeof failurePolicySchema>;
export type CampaignSpec = z.infer<typeof campaignSpecSchema>;

/** One zod issue as "key: problem" (key as a dotted path, steps by name when known). */
function issueText(issue: z.core.$ZodIssue, root: unknown, prefix: string, rootFields: string[]): { key: string; problem: string } {
  const parts: string[] = prefix ? [prefix] : [];
  let node: unknown = root;
  for (const p of issue.path) {
    if (typeof p === 'number' && Array.isArray(node)) {
      const item = node[p] as { name?: unknown } | undefined;
      // A step by its name when the name is a valid one (a bad name is shown by its index: steps[1].name).
      const named = item && typeof item === 'object' && typeof item.name === 'string' && !campaignNameProblem(item.name, 64);
      parts.push(named ? `${parts.pop() ?? ''}[${item.name}]` : `${parts.pop() ?? ''}[${p}]`);
    } else parts.push(String(p));
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(p)] : undefined;
  }
  let problem = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const known = knownFields(issue.path, rootFields);
    const hints = issue.keys.map((k) => closest(k, known)).filter((k): k is string => !!k);
    problem = `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}${hints.length ? ` (did you mean ${hints.map((k) => `'${k}'`).join(', ')}?)` : ''}`;
  }
  return { key: parts.filter(Boolean).join('.'), problem };
}

/** The fields allowed where an unknown one was found (top level, a step, a split, a failure policy). */
function knownFields(path: readonly PropertyKey[], rootFields: string[]): string[] {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  if (path.length === 0) return rootFields;
  if (last === 'split') return ['dimension', 'groups', 'values', 'ranges', 'groupSize'];
  if (last === 'failurePolicy') return Object.keys(failurePolicySchema.shape);
  if (last === 'steps') return Object.keys(stepFields);
  return [];
}

/** The known name closest to a misspelt one (edit distance at most 2, or one a prefix of the other), if any. */
export function closest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? prev[j - 2] + 1 : Infinity;
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), swap));
    }
    prev = row;
  }
  return prev[b.length];
}

/** Unknown fields first: a misspelt key explains the missing one it was meant to be. */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
}

/** Validates a parsed campaign document; every problem is a BadInputError naming the file and key. */
export function parseCampaignSpec(raw: unknown, file?: string): CampaignSpec {
  const r = campaignSpecSchema.safeParse(raw);
  if (!r.success) {
    const { key, problem } = issueText(firstIssue(r.error.issues), raw, '', Object.keys(campaignSpecSchema.shape));
    throw new BadInputError(problem, { file, key: key || undefined });
  }
  r.data.steps.forEach((st) => checkSplit(st, file));
  return r.data;
}

/** Validates an edit of one step; returns the edited step (name unchanged). */
export function applyStepPatch(step: StepSpec, patch: unknown, what = 'edit'): StepSpec {
  const r = stepPatchSchema.safeParse(patch);
  if (!r.success) {
    const { key, problem } = issueText(firstIssue(r.error.issues), patch, `steps[${step.name}]`, Object.keys(stepFields));
    throw new BadInputError(problem, { file: what, key });
  }
  if (r.data.name !== undefined && r.data.name !== step.name) throw new BadInputError(`a step cannot be renamed by an edit`, { file: what, key: `steps[${step.name}].name` });
  const next: StepSpec = { ...step, ...r.data, name: step.name };
  if (r.data.overrides) next.overrides = { ...(step.overrides ?? {}), ...r.data.overrides };
  checkSplit(next, what);
  return next;
}

function checkSplit(step: StepSpec, file?: string): void {
  const n = splitStep(step).length;
  if (n === 0) throw new BadInputError(`the split of step '${step.name}' yields zero groups`, { file, key: `steps[${step.name}].split` });
}

export interface GroupDef {
  /** g1, g2, ... */
  id: string;
  /** Values of the split dimension (empty for an unsplit step). */
  values: Array<string | number>;
}

/** The groups of a step, in order. An unsplit step is one group. */
export function splitStep(step: StepSpec): GroupDef[] {
  const s = step.split;
  if (!s) return [{ id: 'g1', values: [] }];
  let lists: Array<Array<string | number>> = [];
  if (s.groups) lists = s.groups.filter((g) => g.length > 0);
  else if (s.values) lists = chunk(s.values, s.groupSize ?? 1);
  else if (s.ranges) {
    for (const r of s.ranges) {
      if (r.to < r.from || r.to - r.from >= MAX_RANGE) continue;
      const vals: number[] = [];
      for (let v = r.from; v <= r.to; v++) vals.push(v);
      lists.push(...(s.groupSize ? chunk(vals, s.groupSize) : [vals]));
    }
  }
  return lists.map((values, i) => ({ id: `g${i + 1}`, values }));
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function literal(v: string | number): string {
  return typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
}

/** The data query of a group: the step's query ANDed with `dim IN (...)`. */
export function groupDataQuery(base: string | undefined, split: SplitSpec | undefined, group: GroupDef): string | undefined {
  const b = base?.trim() ? base.trim() : undefined;
  if (!split || group.values.length === 0) return b;
  const clause = `${split.dimension} IN (${group.values.map(literal).join(', ')})`;
  return b ? `(${b}) AND ${clause}` : clause;
}

/**
 * The step as one group's run needs it: its split reduced to that group's values. This is what travels to the
 * prepareGroupRun activity, so a step of thousands of groups does not put its whole split in every group's history.
 */
export function stepForGroup(step: StepSpec, group: GroupDef): StepSpec {
  if (!step.split) return step;
  return { ...step, split: { dimension: step.split.dimension, groups: [group.values] } };
}

/** Run name (uniqProcName) of a group: <campaign>_<step>_<group>. */
export function groupRunId(campaign: string, step: string, group: string): string {
  return `${campaign}_${step}_${group}`;
}

/** Output collection of a step (the next step's input). */
export function stepOutput(spec: Pick<CampaignSpec, 'name' | 'output'>, step: string, operator: string): string {
  return `${spec.output ?? `u/${operator}/${spec.name}`}/${step}`;
}

export function campaignWorkflowId(name: string): string {
  return `campaign/${name}`;
}

/** Step effective failure policy and concurrency. */
export function stepPolicy(spec: CampaignSpec, step: StepSpec): { failure: FailurePolicy; concurrency: number } {
  return { failure: step.failurePolicy ?? spec.failurePolicy, concurrency: step.concurrency ?? spec.concurrency };
}
