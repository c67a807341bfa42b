// The checks added for the bad-input corpus (tests/fixtures/bad/), pure parts: campaign-spec keys (misspelt fields
// with a suggestion, split ranges, overrides of what the campaign sets), graph files (labels that are not one path
// segment, binary files, directories), run settings of the local WMS, job names made by cluster templates, and the
// file named for a synthetic-graph value.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closest, parseCampaignSpec } from '../../core/campaign/index.js';
import { readQuantumGraph } from '../../core/qgraph/reader.js';
import { validateHeader } from '../../core/qgraph/header.js';
import { syntheticOptionsFromConfig } from '../../core/qgraph/syntheticConfig.js';
import { preflight, preflightGraph } from '../../core/submit/config.js';
import { readRunSettings } from '../../core/submit/runSettings.js';
import { configFromYaml, tmpDir } from '../fixtures/transform/config.js';

const base = { name: 'drp', baseConfig: 'base.yaml', steps: [{ name: 'step1' }] };

describe('campaign spec checks', () => {
  it('names a misspelt field first, with the field it was meant to be', () => {
    expect(() => parseCampaignSpec({ name: 'drp', baseConfig: 'b.yaml', stpes: [{ name: 'step1' }] }, 'c.yaml')).toThrow(
      /c\.yaml: unknown field\(s\) 'stpes' \(did you mean 'steps'\?\)/,
    );
    expect(() => parseCampaignSpec({ ...base, steps: [{ name: 'step1', splt: { dimension: 'visit', values: [1] } }] })).toThrow(/'splt' \(did you mean 'split'\?\)/);
    expect(closest('concurency', ['concurrency', 'steps'])).toBe('concurrency');
    expect(closest('xyz', ['concurrency', 'steps'])).toBeUndefined();
  });

  it('refuses reversed and oversized ranges at the range', () => {
    const spec = (ranges: unknown) => ({ ...base, steps: [{ name: 'step1', split: { dimension: 'visit', ranges } }] });
    expect(() => parseCampaignSpec(spec([{ from: 1, to: 3 }, { from: 9, to: 2 }]))).toThrow(/key 'steps\[step1\]\.split\.ranges\[1\]': the range ends before it starts/);
    expect(() => parseCampaignSpec(spec([{ from: 1, to: 10_000_000 }]))).toThrow(/ranges\[0\]': a range may hold at most 1000000 values/);
    expect(parseCampaignSpec(spec([{ from: 1, to: 3 }])).steps[0].split?.ranges).toEqual([{ from: 1, to: 3 }]);
  });

  it('refuses step overrides of the names the campaign sets itself', () => {
    for (const key of ['outputRun', 'uniqProcName', 'operator', 'output', 'campaign']) {
      expect(() => parseCampaignSpec({ ...base, steps: [{ name: 'step1', overrides: { [key]: 'x' } }] })).toThrow(
        new RegExp(`key 'steps\\[step1\\]\\.overrides\\.${key}': is set by the campaign`),
      );
    }
    expect(parseCampaignSpec({ ...base, steps: [{ name: 'step1', overrides: { requestMemory: 4096 } }] }).steps[0].overrides).toEqual({ requestMemory: 4096 });
  });

  it('names a step whose name holds a control character by its position, keeping the message on one line', () => {
    let message = '';
    try {
      parseCampaignSpec({ ...base, steps: [{ name: 'step1\n\u0000' }] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/key 'steps\[0\]\.name'/);
    expect(message).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('graph file checks', () => {
  const tasks = (label: string) => ({ format: 'tbps-qgraph', version: 1, metadata: {}, tasks: [{ label, dimensions: [] }] });

  it('refuses task labels that are not one safe path segment', () => {
    expect(() => validateHeader(tasks('..'), 'g.jsonl')).toThrow(/g\.jsonl: line 1: header: task label "\.\." is '\.\.'/);
    expect(() => validateHeader(tasks('../../x'), 'g.jsonl')).toThrow(/task label "\.\.\/\.\.\/x" contains a path separator/);
    expect(() => validateHeader(tasks('a\u0007b'), 'g.jsonl')).toThrow(/control character/);
    expect(validateHeader(tasks('isr'), 'g.jsonl').tasks[0].label).toBe('isr');
  });

  it('says a binary file (a pipe_base .qg zip) is not a tbps graph, without its bytes in the message', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'x.qg');
    writeFileSync(file, Buffer.from([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0, 0x41, 0x0a]));
    await expect(readQuantumGraph(file)).rejects.toThrow(/x\.qg: line 1: not a tbps quantum-graph file \(the file is binary/);
    const text = path.join(dir, 'bad.jsonl');
    writeFileSync(text, '{"format":"tbps-qgraph","version":1,"metadata":{},"tasks":[{"label":"a","dimensions":[]}]}\n{"id": \u0001}\n');
    const err = await readQuantumGraph(text).catch((e: Error) => e);
    expect(String(err)).toMatch(/line 2: bad JSON \(.*\\u0001/);
    expect(String(err)).not.toMatch(/[\u0000-\u0009]/);
  });

  it('refuses a directory given as the graph file', async () => {
    const dir = tmpDir();
    mkdirSync(path.join(dir, 'graph'));
    await expect(readQuantumGraph(path.join(dir, 'graph'))).rejects.toThrow(/graph: is not a file/);
  });
});

describe('run settings and job names', () => {
  it('checks the local WMS run settings by key', () => {
    expect(readRunSettings(configFromYaml(''))).toEqual({ jobBatchSize: 1000, jobBatchWindow: 200, maxBatchesInFlight: 4, jobHeartbeatTimeout: 60, jobGroupMax: 64 });
    expect(() => readRunSettings(configFromYaml('jobBatchSize: huge\n'))).toThrow(/key 'jobBatchSize': expected a number, got "huge"/);
    expect(() => readRunSettings(configFromYaml('jobBatchWindow: 0\n'))).toThrow(/key 'jobBatchWindow': expected a whole number of jobs in flight >= 1/);
    expect(() => readRunSettings(configFromYaml('maxBatchesInFlight: 1.5\n'))).toThrow(/key 'maxBatchesInFlight'/);
    expect(() => readRunSettings(configFromYaml('jobHeartbeatTimeout: -1\n'))).toThrow(/key 'jobHeartbeatTimeout': expected a number of seconds > 0/);
  });

  it('refuses a compute site that is not one name (it names a task queue)', () => {
    expect(() => preflight(configFromYaml('computeSite: "../local"\n'), 'submit.yaml')).toThrow(/key 'computeSite': "\.\.\/local" contains '\/'/);
    expect(() => preflight(configFromYaml('computeSite: "a b"\n'), 'submit.yaml')).toThrow(/key 'computeSite'/);
    expect(() => preflight(configFromYaml('computeSite: cc-in2p3\n'), 'submit.yaml')).not.toThrow();
  });

  it('refuses, before a run, job names a clusterTemplate makes unsafe, naming the section', async () => {
    const config = configFromYaml(
      [
        'syntheticGraph: {quanta: 30}',
        'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering',
        'cluster:',
        '  step1: {pipetasks: calibrate, dimensions: "visit, detector", clusterTemplate: ".."}',
        '',
      ].join('\n'),
    );
    await expect(preflightGraph(config)).rejects.toThrow(/submit\.yaml: key 'cluster\.step1\.clusterTemplate': job name "\.\." is '\.\.'/);
    await expect(preflightGraph(configFromYaml('syntheticGraph: {quanta: 30}\n'))).resolves.toBeUndefined();
  });

  it('names the file that set a synthetic-graph value, not the one that made the section', () => {
    const files: Record<string, string> = { syntheticGraph: 'base.yaml', 'syntheticGraph.quanta': 'case.yaml' };
    expect(() => syntheticOptionsFromConfig({ quanta: -5 }, (key) => files[key])).toThrow(/^case\.yaml: key 'syntheticGraph\.quanta'/);
    expect(() => syntheticOptionsFromConfig({ quanta: -5 }, 'one.yaml')).toThrow(/^one\.yaml: key 'syntheticGraph\.quanta'/);
  });
});
