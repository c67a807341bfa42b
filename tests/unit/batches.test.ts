// Tests of batch planning: size bound, at most 1000 batches, acyclic upstream links that match the job edges,
// independent work in independent batches.
import { describe, expect, it } from 'vitest';
import { clusterQuanta } from '../../core/cluster/index.js';
import { graphFromRecords, syntheticGraph, type QuantumRecord } from '../../core/qgraph/index.js';
import { buildGenericWorkflow, MAX_BATCHES, planBatches, type BatchPlan, type GenericWorkflow } from '../../core/workflow/index.js';
import { configFromYaml, header } from '../fixtures/transform/config.js';

const CFG = configFromYaml('');

function workflow(records: Iterable<QuantumRecord>, h = syntheticGraph({ visits: 1, detectors: 1, tracts: 0, patchesPerTract: 0, bands: 1, visitsPerPatch: 1 }).header) {
  const g = graphFromRecords(h, records);
  return buildGenericWorkflow(g, clusterQuanta(g, CFG), CFG, { qgraphFile: 'g' });
}

function drpWorkflow(visits: number, detectors: number): GenericWorkflow {
  const { header: h, records } = syntheticGraph({ visits, detectors, tracts: 2, patchesPerTract: 4, bands: 3, visitsPerPatch: 5 });
  return workflow(records, h);
}

/** Checks the plan against the workflow: sizes, coverage, acyclicity and exact upstream sets. */
function check(gw: GenericWorkflow, plan: BatchPlan, maxJobs: number): void {
  const n = gw.payloadCount;
  expect(plan.payloadJobs).toBe(n);
  expect(plan.batches.length).toBeLessThanOrEqual(MAX_BATCHES);
  expect(plan.batches.reduce((a, b) => a + b.jobs, 0)).toBe(n);
  const limit = Math.max(maxJobs, plan.batchSize ?? maxJobs);
  for (const b of plan.batches) {
    expect(b.jobs).toBeGreaterThan(0);
    expect(b.jobs).toBeLessThanOrEqual(limit);
  }
  const batchOf = gw.batchOf!;
  const expected = plan.batches.map(() => new Set<number>());
  const backwards: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const p of gw.payloadParents(i)) {
      if (batchOf[p] > batchOf[i]) backwards.push(`${gw.payloadName(p)} -> ${gw.payloadName(i)}`);
      if (batchOf[p] !== batchOf[i]) expected[batchOf[i]].add(batchOf[p]);
    }
  }
  expect(backwards).toEqual([]);
  plan.batches.forEach((b, k) => {
    expect(b.id).toBe(k);
    expect(new Set(b.upstream)).toEqual(expected[k]);
    for (const u of b.upstream) expect(u).toBeLessThan(k);
  });
  // the write order groups jobs by batch and puts parents first
  const pos = new Int32Array(n);
  gw.order!.forEach((i, k) => (pos[i] = k));
  let grouped = true;
  for (let k = 1; k < n; k++) if (batchOf[gw.order![k]] < batchOf[gw.order![k - 1]]) grouped = false;
  expect(grouped).toBe(true);
  let parentsFirst = true;
  for (let i = 0; i < n; i++) for (const p of gw.payloadParents(i)) if (pos[p] >= pos[i]) parentsFirst = false;
  expect(parentsFirst).toBe(true);
}

describe('batch planning', () => {
  it('respects the size bound and the job edges on a DRP graph', () => {
    const gw = drpWorkflow(12, 6);
    for (const size of [1, 7, 50, 100000]) {
      const plan = planBatches(gw, size);
      check(gw, plan, size);
      if (size === 100000) expect(plan.batches).toHaveLength(1);
    }
    const plan = planBatches(gw, 50);
    expect(plan).toMatchObject({ hasInit: true, hasFinal: true, finalWhenRun: 'ALWAYS', quanta: gw.quantaCount });
    expect(plan.batches.reduce((a, b) => a + (b.quanta ?? 0), 0)).toBe(gw.quantaCount);
  });

  it('keeps independent work independent: root batches have no upstream, children follow their parents', () => {
    const gw = drpWorkflow(12, 6);
    const plan = planBatches(gw, 20);
    const isrBatches = plan.batches.filter((b) => Object.keys(b.labels ?? {}).every((l) => l === 'isr'));
    expect(isrBatches.length).toBeGreaterThan(1);
    for (const b of isrBatches) expect(b.upstream).toEqual([]);
    // a characterizeImage batch depends on the isr batch(es) of the same visits only, not on all of them
    const charBatches = plan.batches.filter((b) => b.labels?.characterizeImage);
    for (const b of charBatches) expect(b.upstream.length).toBeLessThanOrEqual(2);
  });

  it('raises the batch size so that there are at most 1000 batches', () => {
    // 3000 independent chains of 2 jobs
    const h = header([
      { label: 'a', dimensions: ['i'] },
      { label: 'b', dimensions: ['i'] },
    ]);
    const recs: QuantumRecord[] = [];
    for (let i = 0; i < 3000; i++) recs.push({ id: `a${i}`, label: 'a', dataId: { i }, parents: [] });
    for (let i = 0; i < 3000; i++) recs.push({ id: `b${i}`, label: 'b', dataId: { i }, parents: [`a${i}`] });
    const gw = workflow(recs, h);
    const plan = planBatches(gw, 1);
    check(gw, plan, 1);
    expect(plan.batches.length).toBeLessThanOrEqual(1000);
    expect(plan.batchSize).toBeGreaterThanOrEqual(6);
  });

  it('handles a deep chain (more levels than batches) and an empty workflow', () => {
    const h = header([{ label: 't', dimensions: ['i'] }]);
    const recs: QuantumRecord[] = [];
    for (let i = 0; i < 2500; i++) recs.push({ id: `q${i}`, label: 't', dataId: { i }, parents: i ? [`q${i - 1}`] : [] });
    const gw = workflow(recs, h);
    const plan = planBatches(gw, 1);
    check(gw, plan, 1);
    for (let k = 1; k < plan.batches.length; k++) expect(plan.batches[k].upstream).toEqual([k - 1]);
    const empty = workflow([], h);
    expect(planBatches(empty, 10).batches).toEqual([]);
    expect(() => planBatches(empty, 0)).toThrow(/maxBatchJobs/);
  });
});
