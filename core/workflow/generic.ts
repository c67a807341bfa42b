// The generic workflow built from a clustered graph: pipetaskInit first, one payload job per cluster, finalJob last.
// Jobs are held compactly (clusters + per-label compiled commands and resources) and materialised as JobSpec
// objects one at a time by jobs(), so a million-job workflow never holds a million argv arrays at once.

import { BadInputError } from '../errors.js';
import type { BpsConfig, JobAttributes, LookupContext } from '../config/index.js';
import type { Cluster, ClusteredGraph } from '../cluster/model.js';
import type { QuantumGraph } from '../qgraph/model.js';
import { compileCommand, fillCommand, JOB_VARS, undefinedJobVar, type CommandTemplate } from './argv.js';
import type { JobKind, JobSpec, WhenRun } from './model.js';
import { aggregateAttributes } from './resources.js';

export const INIT_JOB = 'pipetaskInit';
export const FINAL_JOB = 'finalJob';
const WHEN_RUN: WhenRun[] = ['ALWAYS', 'SUCCESS', 'NEVER'];

export interface BuildOptions {
  /** Graph file named in the commands ({qgraphFile}); for LSST runs the pipetask .qgraph file. */
  qgraphFile: string;
  /** Overrides {butlerConfig} in the commands. */
  butlerConfig?: string;
}

/** What every job of one cluster label shares. */
interface LabelInfo {
  command: CommandTemplate;
  attrs: JobAttributes;
  taskLabels?: string[];
}

export interface LabelSummary {
  label: string;
  jobs: number;
  quanta: number;
}

export class GenericWorkflow {
  readonly payloadCount: number;
  readonly quantaCount: number;
  /** Payload index -> batch (after planBatches). */
  batchOf?: Int32Array;
  /** Payload indices in file order (after planBatches: grouped by batch, parents first). */
  order?: Int32Array;
  private readonly rootSet: Uint8Array;

  /** @internal use buildGenericWorkflow */
  constructor(
    readonly graph: QuantumGraph,
    readonly clustered: ClusteredGraph,
    readonly init: JobSpec | undefined,
    readonly final: JobSpec | undefined,
    readonly finalWhenRun: WhenRun,
    private readonly infoOf: LabelInfo[],
    private readonly clusterInfo: Uint32Array,
    readonly warnings: string[],
  ) {
    this.payloadCount = clustered.clusters.length;
    let q = 0;
    this.rootSet = new Uint8Array(this.payloadCount);
    clustered.clusters.forEach((c, i) => {
      q += c.quanta.length;
      if (c.parents.length === 0) this.rootSet[i] = 1;
    });
    this.quantaCount = q;
  }

  payloadName(i: number): string {
    return this.clustered.clusters[i].name;
  }

  /** Payload-job indices this job depends on. */
  payloadParents(i: number): readonly number[] {
    return this.clustered.clusters[i].parents;
  }

  /** Materialise payload job i as a JobSpec. */
  payloadJob(i: number): JobSpec {
    const c = this.clustered.clusters[i];
    const info = this.infoOf[this.clusterInfo[i]];
    const single = c.quanta.length === 1 && c.taskLabels.length === 1;
    const argv = fillCommand(
      info.command,
      (name) => {
        switch (name) {
          case 'qgraphNodeId':
            return c.quanta.map((q) => this.graph.id(q)).join(',');
          case 'jobName':
          case 'clusterName':
            return c.name;
          default:
            return c.tags[name] ?? (single ? this.graph.dataId(c.quanta[0])[name] : undefined);
        }
      },
      c.name,
    );
    const parents = c.parents.map((p) => this.clustered.clusters[p].name);
    if (this.init && this.rootSet[i]) parents.unshift(this.init.name);
    const spec = jobSpec(c.name, 'payload', c.label, this.batchOf ? this.batchOf[i] : -1, c.quanta.length, argv, info.attrs, parents);
    if (info.taskLabels) {
      spec.taskLabels = info.taskLabels;
      const perTask: Record<string, number> = {};
      for (const q of c.quanta) {
        const label = this.graph.label(q);
        perTask[label] = (perTask[label] ?? 0) + 1;
      }
      spec.taskQuanta = perTask;
    }
    if (Object.keys(c.tags).length > 0) spec.tags = c.tags;
    else if (c.quanta.length === 1) spec.dataId = this.graph.dataId(c.quanta[0]);
    return spec;
  }

  /** All jobs: init, payload jobs (in `order` when planned, else cluster order), final. */
  *jobs(): Generator<JobSpec> {
    if (this.init) yield this.init;
    if (this.order) for (let k = 0; k < this.order.length; k++) yield this.payloadJob(this.order[k]);
    else for (let i = 0; i < this.payloadCount; i++) yield this.payloadJob(i);
    if (this.final) yield this.final;
  }

  labelSummary(): LabelSummary[] {
    const m = new Map<string, LabelSummary>();
    for (const c of this.clustered.clusters) {
      let s = m.get(c.label);
      if (!s) m.set(c.label, (s = { label: c.label, jobs: 0, quanta: 0 }));
      s.jobs++;
      s.quanta += c.quanta.length;
    }
    return [...m.values()];
  }

  /** Record a batch assignment (used by planBatches). */
  assignBatches(order: Int32Array, batchOf: Int32Array): void {
    if (order.length !== this.payloadCount || batchOf.length !== this.payloadCount) throw new Error('assignBatches: wrong length');
    this.order = order;
    this.batchOf = batchOf;
  }
}

function jobSpec(
  name: string,
  kind: JobKind,
  label: string,
  batch: number,
  quanta: number,
  argv: string[],
  a: JobAttributes,
  parents: string[],
): JobSpec {
  const spec: JobSpec = {
    name,
    kind,
    label,
    batch,
    quanta,
    argv,
    environment: a.environment,
    requestMemory: a.requestMemory,
    memoryMultiplier: a.memoryMultiplier,
    requestCpus: a.requestCpus,
    numberOfRetries: a.numberOfRetries,
    retryUnlessExit: a.retryUnlessExit,
    computeSite: a.computeSite,
    parents,
  };
  if (a.requestMemoryMax !== undefined) spec.requestMemoryMax = a.requestMemoryMax;
  if (a.memoryLimit !== undefined) spec.memoryLimit = a.memoryLimit;
  if (a.requestDisk !== undefined) spec.requestDisk = a.requestDisk;
  if (a.requestWalltime !== undefined) spec.requestWalltime = a.requestWalltime;
  if (a.priority !== undefined) spec.priority = a.priority;
  if (a.queue !== undefined) spec.queue = a.queue;
  if (a.concurrencyLimit !== undefined) spec.concurrencyLimit = a.concurrencyLimit;
  if (a.abortOnValue !== undefined) spec.abortOnValue = a.abortOnValue;
  if (a.preemptible !== undefined) spec.preemptible = a.preemptible;
  return spec;
}

function specialJob(
  config: BpsConfig,
  name: string,
  kind: JobKind,
  key: string,
  ctx: LookupContext,
  extra: Record<string, string | number>,
): JobSpec {
  const command = compileCommand(config, key, ctx, extra);
  const argv = fillCommand(command, (n) => (n === 'jobName' || n === 'clusterName' ? name : undefined), name);
  return jobSpec(name, kind, name, -1, 0, argv, config.jobAttributes(ctx), []);
}

/** finalJob.whenRun, validated (case-insensitive), or NEVER without a finalJob section. */
export function readWhenRun(config: BpsConfig): WhenRun {
  const section = config.section('finalJob');
  if (!section) return 'NEVER';
  const raw = section.whenRun ?? 'ALWAYS';
  const v = typeof raw === 'string' ? (raw.toUpperCase() as WhenRun) : undefined;
  if (!v || !WHEN_RUN.includes(v)) {
    throw new BadInputError(`must be one of ${WHEN_RUN.join(', ')} (got ${JSON.stringify(raw)})`, {
      file: config.fileOf('finalJob.whenRun'),
      key: 'finalJob.whenRun',
    });
  }
  return v;
}

/** Build the generic workflow of a clustered graph. Throws BadInputError on bad commands or resources. */
export function buildGenericWorkflow(
  graph: QuantumGraph,
  clustered: ClusteredGraph,
  config: BpsConfig,
  opts: BuildOptions,
): GenericWorkflow {
  const extra: Record<string, string | number> = { qgraphFile: opts.qgraphFile };
  if (opts.butlerConfig !== undefined) extra.butlerConfig = opts.butlerConfig;

  for (const c of clustered.clusters) {
    if (c.name === INIT_JOB || c.name === FINAL_JOB) {
      throw new BadInputError(`a cluster is named "${c.name}", which is reserved for the ${c.name} job; change its clusterTemplate`, {
        file: config.fileOf('cluster'),
        key: 'cluster',
      });
    }
  }

  const init = config.getBool('runInit', {}, true)
    ? specialJob(config, INIT_JOB, 'init', 'runQuantumCommand', { label: INIT_JOB }, extra)
    : undefined;

  const whenRun = readWhenRun(config);
  let final: JobSpec | undefined;
  if (whenRun !== 'NEVER') {
    const section = config.section('finalJob')!;
    const more = Object.keys(section).filter((k) => /^command[2-9]\d*$/.test(k));
    if (more.length > 0) {
      throw new BadInputError(
        `only finalJob.command1 is run (as an argument vector, not a shell script); move ${more.join(', ')} into a script and call it from command1`,
        { file: config.fileOf(`finalJob.${more[0]}`), key: `finalJob.${more[0]}` },
      );
    }
    final = specialJob(config, FINAL_JOB, 'final', 'command1', { section: FINAL_JOB }, extra);
  }

  // Per cluster label (and task-label set): compiled command and aggregated resources, computed once.
  const infos: LabelInfo[] = [];
  const infoIndex = new Map<string, number>();
  const clusterInfo = new Uint32Array(clustered.clusters.length);
  clustered.clusters.forEach((c: Cluster, i) => {
    const key = `${c.label}\u0001${c.taskLabels.join(',')}`;
    let k = infoIndex.get(key);
    if (k === undefined) {
      k = infos.length;
      infos.push(labelInfo(config, graph, c, extra));
      infoIndex.set(key, k);
    }
    clusterInfo[i] = k;
  });
  return new GenericWorkflow(graph, clustered, init, final, whenRun, infos, clusterInfo, []);
}

function labelInfo(config: BpsConfig, graph: QuantumGraph, c: Cluster, extra: Record<string, string | number>): LabelInfo {
  const singleTask = c.taskLabels.length === 1;
  const ctx: LookupContext = singleTask ? { label: c.taskLabels[0], cluster: c.label } : { cluster: c.label };
  const command = compileCommand(config, 'runQuantumCommand', ctx, extra);

  // Job-time names beyond JOB_VARS must be dimensions every job of this label can fill.
  const dims = new Set<string>(Object.keys(c.tags));
  if (c.quanta.length === 1 && singleTask) {
    const task = graph.header.tasks.find((t) => t.label === c.taskLabels[0]);
    for (const d of task?.dimensions ?? []) dims.add(d);
    for (const d of Object.keys(graph.dataId(c.quanta[0]))) dims.add(d);
  }
  for (const name of command.jobNames) {
    if (!(JOB_VARS as readonly string[]).includes(name) && !dims.has(name)) throw undefinedJobVar(command, name, c.name);
  }

  const perTask = c.taskLabels.map((label) => ({ label, attrs: config.jobAttributes({ label, cluster: c.label }) }));
  const attrs = aggregateAttributes(perTask, { cluster: c.label, file: config.fileOf(`cluster.${c.label}`) });
  const taskLabels = singleTask && c.taskLabels[0] === c.label ? undefined : c.taskLabels;
  return { command, attrs, taskLabels };
}
