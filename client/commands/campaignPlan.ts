// `tbps campaign plan SPEC [--json]`: what a campaign would cost before it starts. Per step and group: the quantum
// graph (the first step's made by `pipetask qgraph` exactly as the group's run would make it, and kept for that run:
// lsst/graphCache.ts; a later step's made from the campaign's input through all steps up to it, since its own input
// does not exist yet, and counted for its own tasks only), clustered as the run would cluster it: jobs and quanta per
// label; then CPU-hours, peak memory and wall time from past runs of the same labels (core/estimate/cost.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { splitStep, type CampaignSpec, type StepSpec } from '../../core/campaign/index.js';
import { clusterQuanta } from '../../core/cluster/index.js';
import type { BpsConfig } from '../../core/config/index.js';
import { BadInputError } from '../../core/errors.js';
import { estimateGroup, stepWallSeconds, type GroupEstimate, type PlannedLabel } from '../../core/estimate/cost.js';
import { mkdirUnder } from '../../core/files/confined.js';
import { acquireGraph } from '../../core/qgraph/acquire.js';
import { readQuantumGraph } from '../../core/qgraph/index.js';
import { groupRunConfig } from '../../core/submit/groupRun.js';
import { graphCacheKey, storeCachedGraph } from '../../lsst/graphCache.js';
import { generateLsstGraph, GraphGenerationError } from '../../lsst/qgraph.js';
import { dataDir } from '../../paths/index.js';
import { costHistory, type ServiceContext } from '../services/index.js';

export interface GroupPlan {
  step: string;
  group: string;
  runId: string;
  dataQuery?: string;
  /** Where the graph came from: 'pipetask qgraph (kept for the run)', 'pipetask qgraph through step1..stepN', ... */
  graph: string;
  labels: PlannedLabel[];
  quanta: number;
  jobs: number;
  estimate: GroupEstimate;
}

export interface StepPlan {
  step: string;
  concurrency: number;
  groups: GroupPlan[];
  wallSeconds: number | null;
}

export interface CampaignPlan {
  campaign: string;
  steps: StepPlan[];
  totals: { quanta: number; jobs: number; cpuHours: number | null; peakMemoryMb: number | null; wallSeconds: number | null };
  notes: string[];
}

/** Labels of a pipeline YAML's `#fragment` (subset names expand to their labels; other names are labels). */
function fragmentLabels(pipelineYaml: string, key: string): string[] {
  const [file, fragment] = pipelineYaml.split('#');
  if (!existsSync(file)) throw new BadInputError(`pipeline file '${file}' does not exist`, { key });
  let doc: { tasks?: Record<string, unknown>; subsets?: Record<string, unknown> };
  try {
    doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as typeof doc;
  } catch (err) {
    throw new BadInputError(`pipeline file '${file}' does not load: ${(err as Error).message.split('\n')[0]}`, { key });
  }
  if (typeof doc !== 'object' || !doc.tasks || typeof doc.tasks !== 'object')
    throw new BadInputError(`pipeline file '${file}' does not load: it has no 'tasks' mapping`, { key });
  if (!fragment) return Object.keys(doc.tasks);
  const out: string[] = [];
  for (const name of fragment.split(',').map((s) => s.trim()).filter(Boolean)) {
    const subset = doc.subsets?.[name];
    const members = Array.isArray(subset) ? subset : (subset as { subset?: unknown[] } | undefined)?.subset;
    if (members) out.push(...members.map(String));
    else if (name in doc.tasks) out.push(name);
    else throw new BadInputError(`pipeline '${file}' has no task or subset '${name}'`, { key });
  }
  return out;
}

/** Jobs, quanta and quanta per task of each cluster label of a graph (only clusters of `keep` tasks when given). */
async function countLabels(qgraphFile: string, config: BpsConfig, keep?: Set<string>): Promise<PlannedLabel[]> {
  const graph = await readQuantumGraph(qgraphFile);
  const { clusters } = clusterQuanta(graph, config);
  const byLabel = new Map<string, PlannedLabel>();
  for (const cluster of clusters) {
    if (keep && !cluster.taskLabels.every((t) => keep.has(t))) continue;
    const row = byLabel.get(cluster.label) ?? { label: cluster.label, kind: 'payload' as const, jobs: 0, quanta: 0, tasks: {}, cpus: config.getNumber('requestCpus', {}, 1) };
    row.jobs++;
    row.quanta += cluster.quanta.length;
    for (const q of cluster.quanta) row.tasks[graph.label(q)] = (row.tasks[graph.label(q)] ?? 0) + 1;
    byLabel.set(cluster.label, row);
  }
  const init: PlannedLabel = { label: 'pipetaskInit', kind: 'init', jobs: 1, quanta: 0, tasks: {}, cpus: 1 };
  const final: PlannedLabel = { label: 'finalJob', kind: 'final', jobs: 1, quanta: 0, tasks: {}, cpus: 1 };
  return [init, ...byLabel.values(), final];
}

interface PlanRequest {
  spec: CampaignSpec;
  file: string;
  cwd: string;
  operator: string;
  taskQueuePrefix: string;
  progress: (line: string) => void;
}

/** The graph of one group: its own (first step, or a given/synthetic graph), or made through all steps up to it. */
async function groupGraph(req: PlanRequest, stepIndex: number, groupIndex: number): Promise<Omit<GroupPlan, 'estimate'>> {
  const { spec } = req;
  const step = spec.steps[stepIndex];
  const group = splitStep(step)[groupIndex];
  const base = { campaign: spec, group, cwd: req.cwd, taskQueuePrefix: req.taskQueuePrefix, operator: req.operator };
  const own = groupRunConfig({ ...base, step, previousStep: stepIndex > 0 ? spec.steps[stepIndex - 1].name : undefined });
  const dir = path.join(dataDir(), 'plans', spec.name, `${step.name}_${group.id}`);
  mkdirUnder(dataDir(), dir);
  const summary = (graph: string, labels: PlannedLabel[]) => ({
    step: step.name,
    group: group.id,
    runId: own.runId,
    dataQuery: own.dataQuery,
    graph,
    labels,
    quanta: labels.reduce((a, l) => a + l.quanta, 0),
    jobs: labels.reduce((a, l) => a + l.jobs, 0),
  });
  const given = await acquireGraph(own.config, dir, own.runId);
  if (given) return summary(given.source === 'file' ? 'the given graph' : 'synthetic', await countLabels(given.qgraphFile, own.config));
  const key = `steps[${step.name}].pipelineYaml`;
  const pipelineYaml = String(own.config.get('pipelineYaml') ?? '');
  const stepLabels = fragmentLabels(pipelineYaml, key);
  try {
    if (stepIndex === 0) {
      const made = await generateLsstGraph(own.config, dir, own.runId, () => {});
      const argv = own.config.getArgv('createQuantumGraph', {}, { qgraphFile: made.lsstQgraphFile });
      storeCachedGraph(graphCacheKey(own.config, argv, made.lsstQgraphFile), made.lsstQgraphFile, `tbps campaign plan ${spec.name}`);
      return summary(made.reusedFrom ? `pipetask qgraph (earlier plan; kept for the run)` : 'pipetask qgraph (kept for the run)', await countLabels(made.qgraphFile, own.config));
    }
    // A later step reads what the earlier ones make: its graph comes from the campaign's input through all of them.
    const steps = spec.steps.slice(0, stepIndex + 1);
    const files = new Set(steps.map((s) => (s.pipelineYaml ?? pipelineYaml).split('#')[0]));
    const fragments = steps.map((s) => (s.pipelineYaml ?? pipelineYaml).split('#')[1]);
    if (files.size !== 1 || fragments.some((f) => !f))
      throw new BadInputError(`the steps up to '${step.name}' do not name subsets of one pipeline file, so its graph cannot be made before they ran`, { key });
    const through: StepSpec = { ...step, pipelineYaml: `${[...files][0]}#${fragments.join(',')}` };
    const cumulative = groupRunConfig({ ...base, step: through });
    const made = await generateLsstGraph(cumulative.config, dir, own.runId, () => {});
    return summary(`pipetask qgraph through ${steps.map((s) => s.name).join(', ')}`, await countLabels(made.qgraphFile, own.config, new Set(stepLabels)));
  } catch (err) {
    if (err instanceof GraphGenerationError) throw new BadInputError(`the graph of group ${group.id} cannot be made: ${err.message}`, { file: req.file, key });
    throw err;
  }
}

/** Every step's config builds and its pipeline loads, before anything is opened or made (bad input: exit 2). */
export function checkPlanInputs(req: Omit<PlanRequest, 'progress'>): void {
  const { spec } = req;
  for (const step of spec.steps) {
    const key = `steps[${step.name}].pipelineYaml`;
    const { config } = groupRunConfig({ campaign: spec, step, group: splitStep(step)[0], cwd: req.cwd, taskQueuePrefix: req.taskQueuePrefix, operator: req.operator });
    if (config.has('syntheticGraph') || config.has('qgraphFile')) continue;
    try {
      fragmentLabels(String(config.get('pipelineYaml') ?? ''), key);
    } catch (err) {
      if (err instanceof BadInputError) throw new BadInputError(err.problem, { file: req.file, key });
      throw err;
    }
  }
}

export async function planCampaign(ctx: ServiceContext, req: PlanRequest): Promise<CampaignPlan> {
  const { spec } = req;
  checkPlanInputs(req);
  const steps: StepPlan[] = [];
  const notes = new Set<string>();
  for (let i = 0; i < spec.steps.length; i++) {
    const step = spec.steps[i];
    const groups: GroupPlan[] = [];
    const groupCount = splitStep(step).length;
    for (let g = 0; g < groupCount; g++) {
      req.progress(`planning ${step.name} group ${g + 1}/${groupCount}`);
      const counted = await groupGraph(req, i, g);
      const history = await costHistory(ctx, counted.labels.filter((l) => l.kind === 'payload').map((l) => l.label));
      const estimate = estimateGroup(counted.labels, history);
      for (const n of estimate.notes) notes.add(`${step.name}: ${n}`);
      groups.push({ ...counted, estimate });
    }
    const walls = groups.map((g) => g.estimate.wallSeconds);
    const concurrency = step.concurrency ?? spec.concurrency;
    steps.push({ step: step.name, concurrency, groups, wallSeconds: walls.every((w): w is number => w !== null) ? stepWallSeconds(walls, concurrency) : null });
  }
  const all = steps.flatMap((s) => s.groups);
  const sumOrNull = (xs: Array<number | null>) => (xs.every((x): x is number => x !== null) ? xs.reduce((a, x) => a + x, 0) : null);
  const memories = all.map((g) => g.estimate.peakMemoryMb).filter((m): m is number => m !== null);
  return {
    campaign: spec.name,
    steps,
    totals: {
      quanta: all.reduce((a, g) => a + g.quanta, 0),
      jobs: all.reduce((a, g) => a + g.jobs, 0),
      cpuHours: sumOrNull(all.map((g) => g.estimate.cpuHours)),
      peakMemoryMb: memories.length ? Math.max(...memories) : null,
      wallSeconds: sumOrNull(steps.map((s) => s.wallSeconds)),
    },
    notes: [...notes],
  };
}
