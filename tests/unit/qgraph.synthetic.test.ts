// Tests of the synthetic DRP graph generator: counts per label, fan-in shapes, topological order, determinism.
import { describe, expect, it } from 'vitest';
import {
  graphFromRecords,
  seededUuid,
  syntheticCounts,
  syntheticGraph,
  syntheticOptionsForQuanta,
  type SyntheticOptions,
} from '../../core/qgraph/index.js';

const OPTS: SyntheticOptions = { visits: 6, detectors: 4, tracts: 2, patchesPerTract: 3, bands: 3, visitsPerPatch: 4, warpDetectors: 2 };

function build(opts: SyntheticOptions) {
  const { header, records } = syntheticGraph(opts);
  return { header, records: [...records], graph: graphFromRecords(header, records) };
}

function indicesOf(g: ReturnType<typeof build>['graph'], label: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.size; i++) if (g.label(i) === label) out.push(i);
  return out;
}

describe('synthetic DRP graph', () => {
  it('has the expected number of quanta per label', () => {
    const { header, graph } = build(OPTS);
    const counts: Record<string, number> = {};
    for (let i = 0; i < graph.size; i++) counts[graph.label(i)] = (counts[graph.label(i)] ?? 0) + 1;
    const vd = 6 * 4;
    const patches = 6;
    // 4 consecutive visits over 3 bands: every patch sees all 3 bands.
    expect(counts).toEqual({
      isr: vd,
      characterizeImage: vd,
      calibrate: vd,
      writeSourceTable: vd,
      transformSourceTable: vd,
      consolidateSourceTable: 6,
      consolidateVisitSummary: 6,
      makeWarp: patches * 4,
      assembleCoadd: patches * 3,
      detection: patches * 3,
      mergeDetections: patches,
      deblend: patches,
      measure: patches * 3,
      mergeMeasurements: patches,
      forcedPhotCoadd: patches * 3,
    });
    expect(header.quanta).toBe(graph.size);
    expect(syntheticCounts(OPTS).perLabel).toEqual(counts);
  });

  it('wires the DRP fan-ins', () => {
    const { graph: g } = build(OPTS);
    // step1 chain
    for (const i of indicesOf(g, 'characterizeImage')) {
      expect(g.parents(i).map((p) => g.label(p))).toEqual(['isr']);
      const isr = g.dataId(g.parents(i)[0]);
      expect(isr.exposure).toBe(g.dataId(i).visit);
      expect(isr.detector).toBe(g.dataId(i).detector);
    }
    // step2 gathers all detectors of the visit
    for (const i of indicesOf(g, 'consolidateSourceTable')) {
      const ps = g.parents(i);
      expect(ps).toHaveLength(4);
      expect(new Set(ps.map((p) => g.label(p)))).toEqual(new Set(['transformSourceTable']));
      expect(new Set(ps.map((p) => g.dataId(p).visit))).toEqual(new Set([g.dataId(i).visit]));
    }
    for (const i of indicesOf(g, 'consolidateVisitSummary')) {
      expect(g.parents(i).map((p) => g.label(p))).toEqual(['calibrate', 'calibrate', 'calibrate', 'calibrate']);
    }
    // makeWarp: warpDetectors calibrates of its visit plus the visit summary
    for (const i of indicesOf(g, 'makeWarp')) {
      const ps = g.parents(i);
      expect(ps.map((p) => g.label(p)).sort()).toEqual(['calibrate', 'calibrate', 'consolidateVisitSummary']);
      for (const p of ps) expect(g.dataId(p).visit).toBe(g.dataId(i).visit);
    }
    // assembleCoadd fans in the warps of its patch and band
    let warps = 0;
    for (const i of indicesOf(g, 'assembleCoadd')) {
      const d = g.dataId(i);
      for (const p of g.parents(i)) {
        expect(g.label(p)).toBe('makeWarp');
        expect(g.dataId(p)).toMatchObject({ tract: d.tract, patch: d.patch });
      }
      warps += g.parents(i).length;
    }
    expect(warps).toBe(indicesOf(g, 'makeWarp').length);
    // mergeDetections fans in over bands, mergeMeasurements over measure
    for (const i of indicesOf(g, 'mergeDetections')) {
      expect(g.parents(i).map((p) => g.dataId(p).band).sort()).toEqual(['g', 'i', 'r']);
    }
    for (const i of indicesOf(g, 'mergeMeasurements')) expect(g.parents(i).map((p) => g.label(p))).toEqual(['measure', 'measure', 'measure']);
    for (const i of indicesOf(g, 'forcedPhotCoadd')) expect(g.parents(i).map((p) => g.label(p)).sort()).toEqual(['assembleCoadd', 'mergeMeasurements']);
  });

  it('is deterministic and emits parents before children', () => {
    const a = build(OPTS).records;
    const b = build(OPTS).records;
    expect(a).toEqual(b);
    const c = build({ ...OPTS, seed: 2 }).records;
    expect(c[0].id).not.toBe(a[0].id);
    expect(a[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // graphFromRecords would have thrown on a parent after its child; the records can be iterated again.
    const { records } = syntheticGraph(OPTS);
    expect([...records].length).toBe([...records].length);
  });

  it('makes unique ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50000; i++) seen.add(seededUuid(7, `isr/${903334 + 2 * i}/${i % 100}`));
    expect(seen.size).toBe(50000);
  });

  it('picks options giving about the requested number of quanta', () => {
    for (const n of [1000, 20000, 100000, 1000000]) {
      const { total } = syntheticCounts(syntheticOptionsForQuanta(n));
      expect(Math.abs(total - n) / n).toBeLessThan(0.05);
    }
    expect(syntheticCounts(syntheticOptionsForQuanta(10)).total).toBeGreaterThan(0);
    const o = syntheticOptionsForQuanta(100000);
    const { perLabel, total } = syntheticCounts(o);
    expect((perLabel.isr * 5) / total).toBeGreaterThan(0.8); // mostly step1, as in DRP
  });

  it('works without step3 (tracts: 0)', () => {
    const { graph } = build({ visits: 2, detectors: 2, tracts: 0, patchesPerTract: 0, bands: 0, visitsPerPatch: 0 });
    expect(graph.size).toBe(2 * 2 * 5 + 2 * 2);
  });
});
