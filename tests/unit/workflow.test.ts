// Tests of the generic workflow: init/final jobs, argv from command templates (tokenised, never a shell),
// {qgraphNodeId} joining, resource aggregation of clusters, finalJob.whenRun, writing/reading jobs.jsonl, transform().
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clusterQuanta } from '../../core/cluster/index.js';
import { BpsConfig } from '../../core/config/index.js';
import { graphFromRecords, syntheticGraph, writeQuantumGraph, type QuantumGraph } from '../../core/qgraph/index.js';
import {
  aggregateAttributes,
  buildGenericWorkflow,
  planBatches,
  readJobs,
  readWhenRun,
  transform,
  writeGenericWorkflow,
  type JobSpec,
} from '../../core/workflow/index.js';
import { configFromYaml, tmpDir, errorOf } from '../fixtures/transform/config.js';

const DIM = 'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering\n';
const QG = '/runs/r1/r1.qgraph';

function drp(): QuantumGraph {
  const { header, records } = syntheticGraph({ visits: 2, detectors: 2, tracts: 1, patchesPerTract: 1, bands: 1, visitsPerPatch: 2 });
  return graphFromRecords(header, records);
}

function build(g: QuantumGraph, cfg: BpsConfig, butlerConfig?: string) {
  return buildGenericWorkflow(g, clusterQuanta(g, cfg), cfg, { qgraphFile: QG, butlerConfig });
}

describe('generic workflow', () => {
  it('puts pipetaskInit first and finalJob last with commands from the defaults', () => {
    const g = drp();
    const gw = build(g, configFromYaml(''));
    const jobs = [...gw.jobs()];
    expect(jobs).toHaveLength(g.size + 2);
    const init = jobs[0];
    const final = jobs[jobs.length - 1];
    expect(init).toMatchObject({ name: 'pipetaskInit', kind: 'init', label: 'pipetaskInit', batch: -1, quanta: 0, parents: [] });
    expect(init.argv).toEqual(['pipetask', '--long-log', '--log-level=VERBOSE', 'pre-exec-init-qbb', '/repo/butler.yaml', QG]);
    expect(final).toMatchObject({ name: 'finalJob', kind: 'final', label: 'finalJob', parents: [], requestMemory: 4096, retryUnlessExit: [2] });
    // the final job defaults to aggregate-graph, as in ctrl_bps (-j {requestCpus})
    expect(final.argv).toEqual([
      'butler', '--long-log', '--log-level=VERBOSE', 'aggregate-graph', QG, '/repo/butler.yaml',
      '-j', '1', '--register-dataset-types', '--update-output-chain',
    ]);
    expect(gw.finalWhenRun).toBe('ALWAYS');
    const payload = jobs.slice(1, -1);
    expect(payload.every((j) => j.kind === 'payload')).toBe(true);
    // init is the parent of exactly the root payload jobs
    for (const j of payload) {
      const isRoot = j.label === 'isr';
      expect(j.parents.includes('pipetaskInit')).toBe(isRoot);
    }
    const isr = payload[0];
    // single-quantum names start with the node id (useNodeIdInClusterName defaults to true, as in ctrl_bps)
    expect(isr.name).toBe(`${g.id(0)}_isr_903334_0`);
    expect(isr.argv).toEqual([
      'pipetask', '--long-log', '--log-level=VERBOSE', 'run-qbb', '/repo/butler.yaml', QG, '--qgraph-node-id', g.id(0),
    ]);
    expect(isr).toMatchObject({ requestMemory: 2048, requestCpus: 1, memoryMultiplier: 2, numberOfRetries: 5, retryUnlessExit: [1, 2], computeSite: 'local' });
    const char = payload.find((j) => j.label === 'characterizeImage')!;
    expect(char.parents).toEqual([`${g.id(0)}_isr_903334_0`]);
  });

  it('tokenises the template, then expands each word: quotes group, values are never shell-parsed', () => {
    const g = drp();
    const cfg = configFromYaml(`
extraRunQuantumOptions: "--config 'isr:doWrite=False' -j 2"
note: "; rm -rf / $(reboot)"
runQuantumCommand: >-
  {pipetaskExe} run-qbb "{butlerConfig}" {qgraphFile}
  --qgraph-node-id {qgraphNodeId} --note "{note}" --job={jobName} {extraRunQuantumOptions} {emptyOpt}
emptyOpt: ""
`);
    const gw = build(g, cfg, '/my repo/butler.yaml');
    const job = gw.payloadJob(0);
    expect(job.argv).toEqual([
      'pipetask', 'run-qbb', '/my repo/butler.yaml', QG, '--qgraph-node-id', g.id(0),
      '--note', '; rm -rf / $(reboot)', `--job=${g.id(0)}_isr_903334_0`, '--config', 'isr:doWrite=False', '-j', '2',
    ]);
  });

  it('joins the quantum ids of a cluster for {qgraphNodeId} and fills dimensions per job', () => {
    const g = drp();
    const cfg = configFromYaml(
      DIM +
        `cluster:
  calexp:
    pipetasks: isr, characterizeImage, calibrate
    dimensions: visit, detector
    equalDimensions: visit:exposure
    requestCpus: 2
    runQuantumCommand: "run --ids {qgraphNodeId} --log logs/{visit}/{detector}.log"
pipetask:
  writeSourceTable:
    runQuantumCommand: "run {qgraphNodeId} logs/{visit}/{detector}.log"
`,
    );
    const gw = build(g, cfg);
    const jobs = [...gw.jobs()];
    const calexp = jobs.find((j) => j.name === 'calexp_903334_1')!;
    const ids = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((i) => g.label(i) !== 'writeSourceTable' && g.label(i) !== 'transformSourceTable');
    const own = ids.filter((i) => (g.dataId(i).visit ?? g.dataId(i).exposure) === 903334 && g.dataId(i).detector === 1);
    expect(calexp.argv).toEqual(['run', '--ids', own.map((i) => g.id(i)).join(','), '--log', 'logs/903334/1.log']);
    expect(calexp).toMatchObject({ quanta: 3, label: 'calexp', taskLabels: ['isr', 'characterizeImage', 'calibrate'], tags: { visit: 903334, detector: 1 } });
    expect(calexp.requestCpus).toBe(2);
    const wst = jobs.find((j) => j.label === 'writeSourceTable')!;
    expect(wst.argv[2]).toMatch(/^logs\/9033\d\d\/\d\.log$/);
    // a dimension that some job does not have is an error at build time
    const bad = configFromYaml('runQuantumCommand: "run {qgraphNodeId} {detector}"\n');
    expect(errorOf(() => build(g, bad)).message).toMatch(/undefined variable \{detector\} in the command of job [0-9a-f-]+_consolidateSourceTable_903334_;/);
    const undef = configFromYaml('runQuantumCommand: "run {nosuchthing}"\n');
    expect(errorOf(() => build(g, undef)).message).toMatch(/key 'runQuantumCommand': undefined variable \{nosuchthing\}/);
  });

  it('aggregates cluster resources: max of memory/cpus/multiplier/retries, sum of disk/walltime', () => {
    const g = drp();
    const cfg = configFromYaml(
      DIM +
        `cluster:
  calexp:
    pipetasks: isr, characterizeImage, calibrate
    dimensions: visit, detector
    equalDimensions: visit:exposure
pipetask:
  isr:
    requestMemory: 4096
    requestDisk: 100
    requestWalltime: 600
    numberOfRetries: 2
    environment: {A: "1"}
  characterizeImage:
    requestMemory: 8192
    requestCpus: 4
    requestWalltime: "0:30:00"
    memoryMultiplier: 3
    environment: {B: "2"}
  calibrate:
    requestMemory: 1024
    requestDisk: 50
    numberOfRetries: 7
`,
    );
    const job = build(g, cfg).payloadJob(0);
    expect(job).toMatchObject({
      label: 'calexp',
      requestMemory: 8192,
      requestCpus: 4,
      memoryMultiplier: 3,
      numberOfRetries: 7,
      requestDisk: 150,
      requestWalltime: 2400,
      environment: { A: '1', B: '2' },
      computeSite: 'local',
    });
  });

  it('requires other attributes of clustered tasks to agree', () => {
    const g = drp();
    const base = DIM + 'cluster:\n  calexp:\n    pipetasks: isr, characterizeImage\n    dimensions: visit, detector\n    equalDimensions: visit:exposure\n';
    const site = errorOf(() => build(g, configFromYaml(base + 'pipetask:\n  isr:\n    computeSite: other\n')));
    expect(site.message).toMatch(/key 'cluster.calexp.computeSite': the tasks of cluster "calexp" disagree on computeSite \(isr: "other"; characterizeImage: "local"\)/);
    const exits = errorOf(() => build(g, configFromYaml(base + 'pipetask:\n  isr:\n    retryUnlessExit: [1]\n')));
    expect(exits.message).toMatch(/disagree on retryUnlessExit/);
    const env = errorOf(() =>
      build(g, configFromYaml(base + 'pipetask:\n  isr:\n    environment: {X: "1"}\n  characterizeImage:\n    environment: {X: "2"}\n')),
    );
    expect(env.message).toMatch(/set environment variable X differently/);
    // direct: unset vs set optional attributes also disagree
    const attrs = { requestMemory: 1, memoryMultiplier: 1, requestCpus: 1, numberOfRetries: 1, retryUnlessExit: [1], computeSite: 's', environment: {} };
    expect(() => aggregateAttributes([{ label: 'a', attrs }, { label: 'b', attrs: { ...attrs, queue: 'q' } }], { cluster: 'c' })).toThrow(/disagree on queue/);
  });

  it('validates finalJob.whenRun and honours NEVER and runInit: false', () => {
    const g = drp();
    expect(build(g, configFromYaml('finalJob:\n  whenRun: success\n')).finalWhenRun).toBe('SUCCESS');
    const never = build(g, configFromYaml('finalJob:\n  whenRun: NEVER\n'));
    expect(never.final).toBeUndefined();
    expect(planBatches(never, 100)).toMatchObject({ hasFinal: false, finalWhenRun: 'NEVER', hasInit: true });
    const bad = errorOf(() => build(g, configFromYaml('finalJob:\n  whenRun: SOMETIMES\n')));
    expect(bad.message).toMatch(/key 'finalJob.whenRun': .*one of ALWAYS, SUCCESS, NEVER.*"SOMETIMES"/);
    expect(bad.message).toContain('submit.yaml');
    // the workflow checks it too when the config did not come through the loader
    expect(() => readWhenRun(BpsConfig.fromTree({ finalJob: { whenRun: 'later' } }))).toThrow(/key 'finalJob.whenRun': must be one of ALWAYS, SUCCESS, NEVER \(got "later"\)/);
    expect(readWhenRun(BpsConfig.fromTree({}))).toBe('NEVER');
    const noInit = build(g, configFromYaml('runInit: false\n'));
    expect(noInit.init).toBeUndefined();
    expect(noInit.payloadJob(0).parents).toEqual([]);
    expect(errorOf(() => build(g, configFromYaml('finalJob:\n  command2: "echo hi"\n'))).message).toMatch(/only finalJob.command1 is run/);
    const agg = build(g, configFromYaml('finalJob:\n  command1: "{aggregateGraphCommand}"\n  requestCpus: 3\n'));
    expect(agg.final!.argv).toContain('aggregate-graph');
    expect(agg.final!.argv.slice(agg.final!.argv.indexOf('-j'), agg.final!.argv.indexOf('-j') + 2)).toEqual(['-j', '3']);
  });

  it('writes jobs.jsonl, batches.json and a summary, and reads jobs back', async () => {
    const g = drp();
    const gw = build(g, configFromYaml(''));
    const plan = planBatches(gw, 5);
    const dir = tmpDir();
    const written = await writeGenericWorkflow(dir, gw, plan);
    expect(written.jobsFile).toBe(path.join(dir, 'generic_workflow', 'jobs.jsonl'));
    const jobs: JobSpec[] = [];
    for await (const j of readJobs(written.jobsFile)) jobs.push(j);
    expect(jobs).toHaveLength(g.size + 2);
    expect(jobs[0].name).toBe('pipetaskInit');
    expect(jobs[jobs.length - 1].name).toBe('finalJob');
    const seen = new Set<string>();
    let lastBatch = -1;
    for (const j of jobs) {
      for (const p of j.parents) expect(seen.has(p)).toBe(true);
      seen.add(j.name);
      if (j.kind === 'payload') {
        expect(j.batch).toBeGreaterThanOrEqual(lastBatch);
        lastBatch = j.batch;
      }
    }
    expect(JSON.parse(readFileSync(written.batchesFile, 'utf8'))).toEqual(JSON.parse(JSON.stringify(plan)));
    const batch1: JobSpec[] = [];
    for await (const j of readJobs(written.jobsFile, { batch: 1 })) batch1.push(j);
    expect(batch1).toHaveLength(plan.batches[1].jobs);
    const summary = readFileSync(written.summaryFile, 'utf8');
    expect(summary).toMatch(/TOTAL\s+\d+\s+\d+/);
    expect(summary).toContain('whenRun ALWAYS');
  });

  it('transform() runs the whole stage from a graph file', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'g.qg.jsonl');
    const { header, records } = syntheticGraph({ visits: 3, detectors: 2, tracts: 1, patchesPerTract: 2, bands: 2, visitsPerPatch: 3 });
    await writeQuantumGraph(file, header, records);
    const res = await transform(file, configFromYaml(''), path.join(dir, 'submit'), { maxBatchJobs: 10, qgraphFile: '/lsst/r.qgraph' });
    expect(res.counts.quanta).toBe(header.quanta);
    expect(res.counts.payloadJobs).toBe(header.quanta);
    expect(res.counts.jobs).toBe(header.quanta! + 2);
    expect(res.plan.batches.length).toBe(res.counts.batches);
    expect(res.initJob).toBe('pipetaskInit');
    expect(res.finalJob).toBe('finalJob');
    const first = (await readJobs(res.jobsFile)[Symbol.asyncIterator]().next()).value as JobSpec;
    expect(first.argv).toContain('/lsst/r.qgraph');
    await expect(transform(path.join(dir, 'missing.jsonl'), configFromYaml(''), dir)).rejects.toThrow(/not found/);
  });
});
