// Synthetic DRP-shaped quantum graphs for tests and benchmarks: step1 (per visit x detector chain), step2 (per visit
// gathers) and step3 (per tract/patch/band coadds). Deterministic: the same options give the same ids and order.
// Records are produced lazily by a generator and parent ids are recomputed by hashing, so memory stays flat.

import { BadInputError } from '../errors.js';
import type { DataId, QGraphHeader, QuantumRecord, TaskDef } from './model.js';
import { seededUuid } from './uuid.js';

export interface SyntheticOptions {
  visits: number;
  /** Detectors per visit. */
  detectors: number;
  tracts: number;
  patchesPerTract: number;
  bands: number;
  /** Visits overlapping each patch (fan-in of the coadds). */
  visitsPerPatch: number;
  /** Detectors of a visit feeding one makeWarp (default min(4, detectors)). */
  warpDetectors?: number;
  seed?: number;
  instrument?: string;
  skymap?: string;
}

export const SYNTHETIC_BANDS = ['g', 'r', 'i', 'z', 'y', 'u'];

const VISIT_DIMS = ['instrument', 'visit', 'detector'];
const PATCH_BAND_DIMS = ['skymap', 'tract', 'patch', 'band'];
const PATCH_DIMS = ['skymap', 'tract', 'patch'];

/** The task definitions of the synthetic DRP pipeline, in pipeline order. */
export const SYNTHETIC_TASKS: TaskDef[] = [
  { label: 'isr', dimensions: ['instrument', 'exposure', 'detector'], taskClass: 'lsst.ip.isr.IsrTask' },
  { label: 'characterizeImage', dimensions: VISIT_DIMS, taskClass: 'lsst.pipe.tasks.characterizeImage.CharacterizeImageTask' },
  { label: 'calibrate', dimensions: VISIT_DIMS, taskClass: 'lsst.pipe.tasks.calibrate.CalibrateTask' },
  { label: 'writeSourceTable', dimensions: VISIT_DIMS, taskClass: 'lsst.pipe.tasks.postprocess.WriteSourceTableTask' },
  { label: 'transformSourceTable', dimensions: VISIT_DIMS, taskClass: 'lsst.pipe.tasks.postprocess.TransformSourceTableTask' },
  { label: 'consolidateSourceTable', dimensions: ['instrument', 'visit'], taskClass: 'lsst.pipe.tasks.postprocess.ConsolidateSourceTableTask' },
  { label: 'consolidateVisitSummary', dimensions: ['instrument', 'visit'], taskClass: 'lsst.pipe.tasks.postprocess.ConsolidateVisitSummaryTask' },
  { label: 'makeWarp', dimensions: ['instrument', 'skymap', 'tract', 'patch', 'visit'], taskClass: 'lsst.pipe.tasks.makeWarp.MakeWarpTask' },
  { label: 'assembleCoadd', dimensions: PATCH_BAND_DIMS, taskClass: 'lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask' },
  { label: 'detection', dimensions: PATCH_BAND_DIMS, taskClass: 'lsst.pipe.tasks.multiBand.DetectCoaddSourcesTask' },
  { label: 'mergeDetections', dimensions: PATCH_DIMS, taskClass: 'lsst.pipe.tasks.mergeDetections.MergeDetectionsTask' },
  { label: 'deblend', dimensions: PATCH_DIMS, taskClass: 'lsst.pipe.tasks.deblendCoaddSourcesPipeline.DeblendCoaddSourcesMultiTask' },
  { label: 'measure', dimensions: PATCH_BAND_DIMS, taskClass: 'lsst.pipe.tasks.multiBand.MeasureMergedCoaddSourcesTask' },
  { label: 'mergeMeasurements', dimensions: PATCH_DIMS, taskClass: 'lsst.pipe.tasks.mergeMeasurements.MergeMeasurementsTask' },
  { label: 'forcedPhotCoadd', dimensions: PATCH_BAND_DIMS, taskClass: 'lsst.meas.base.forcedPhotCoadd.ForcedPhotCoaddTask' },
];

const STEP1 = ['isr', 'characterizeImage', 'calibrate', 'writeSourceTable', 'transformSourceTable'];

interface Resolved extends Required<SyntheticOptions> {
  patches: number;
}

function resolve(o: SyntheticOptions): Resolved {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new BadInputError(`must be an integer >= ${min} (got ${v})`, { key: `syntheticGraph.${name}` });
    }
    return v;
  };
  const visits = int('visits', o.visits, 1);
  const detectors = int('detectors', o.detectors, 1);
  const tracts = int('tracts', o.tracts, 0);
  const patchesPerTract = tracts > 0 ? int('patchesPerTract', o.patchesPerTract, 1) : 0;
  // bands and visitsPerPatch only matter with patches; 0 means "as few as possible" (1).
  const bands = Math.max(1, int('bands', o.bands, 0));
  const visitsPerPatch = Math.min(Math.max(1, int('visitsPerPatch', o.visitsPerPatch, 0)), visits);
  return {
    visits,
    detectors,
    tracts,
    patchesPerTract,
    bands,
    visitsPerPatch,
    warpDetectors: Math.min(o.warpDetectors ?? 4, detectors),
    seed: o.seed ?? 1,
    instrument: o.instrument ?? 'HSC',
    skymap: o.skymap ?? 'hsc_rings_v1',
    patches: tracts * patchesPerTract,
  };
}

const visitId = (v: number) => 903334 + 2 * v;
const bandName = (b: number) => SYNTHETIC_BANDS[b] ?? `b${b}`;
const bandOf = (o: Resolved, v: number) => v % o.bands;
const tractOf = (o: Resolved, g: number) => 9813 + Math.floor(g / o.patchesPerTract);
const patchOf = (o: Resolved, g: number) => g % o.patchesPerTract;

/** Visit indices overlapping global patch g (consecutive visits, so consecutive patches share visits). */
function patchVisits(o: Resolved, g: number): number[] {
  const start = Math.floor((g * o.visits) / Math.max(1, o.patches));
  const out: number[] = [];
  for (let k = 0; k < o.visitsPerPatch; k++) out.push((start + k) % o.visits);
  return out;
}

/** Band indices present among the visits of a patch, ascending. */
function patchBands(o: Resolved, visits: number[]): number[] {
  return [...new Set(visits.map((v) => bandOf(o, v)))].sort((a, b) => a - b);
}

/** Quanta per label and total, computed without generating the graph. */
export function syntheticCounts(opts: SyntheticOptions): { total: number; perLabel: Record<string, number> } {
  const o = resolve(opts);
  const perLabel: Record<string, number> = {};
  for (const t of SYNTHETIC_TASKS) perLabel[t.label] = 0;
  for (const l of STEP1) perLabel[l] = o.visits * o.detectors;
  perLabel.consolidateSourceTable = perLabel.consolidateVisitSummary = o.visits;
  for (let g = 0; g < o.patches; g++) {
    const vs = patchVisits(o, g);
    const nb = patchBands(o, vs).length;
    perLabel.makeWarp += vs.length;
    for (const l of ['assembleCoadd', 'detection', 'measure', 'forcedPhotCoadd']) perLabel[l] += nb;
    for (const l of ['mergeDetections', 'deblend', 'mergeMeasurements']) perLabel[l] += 1;
  }
  const total = Object.values(perLabel).reduce((a, b) => a + b, 0);
  return { total, perLabel };
}

/** A synthetic DRP graph: header plus a re-iterable, lazily generated record sequence in topological order. */
export function syntheticGraph(opts: SyntheticOptions): { header: QGraphHeader; records: Iterable<QuantumRecord> } {
  const o = resolve(opts);
  const header: QGraphHeader = {
    format: 'tbps-qgraph',
    version: 1,
    metadata: {
      generator: 'tbps synthetic DRP',
      options: { ...opts },
      instrument: o.instrument,
      skymap: o.skymap,
      pipeline: 'synthetic DRP.yaml',
    },
    tasks: SYNTHETIC_TASKS.map((t) => ({ ...t, dimensions: [...t.dimensions] })),
    quanta: syntheticCounts(opts).total,
  };
  return { header, records: { [Symbol.iterator]: () => generate(o) } };
}

function* generate(o: Resolved): Generator<QuantumRecord> {
  const id = (label: string, key: string) => seededUuid(o.seed, `${label}/${key}`);
  const inst = o.instrument;
  const sky = o.skymap;

  // step1: per visit x detector chain.
  for (let v = 0; v < o.visits; v++) {
    const visit = visitId(v);
    for (let detector = 0; detector < o.detectors; detector++) {
      const key = `${visit}/${detector}`;
      let parent: string | undefined;
      for (const label of STEP1) {
        const dataId: DataId =
          label === 'isr' ? { instrument: inst, exposure: visit, detector } : { instrument: inst, visit, detector };
        const qid = id(label, key);
        yield { id: qid, label, dataId, parents: parent ? [parent] : [] };
        parent = qid;
      }
    }
  }

  // step2: per visit gathers.
  for (let v = 0; v < o.visits; v++) {
    const visit = visitId(v);
    const dataId = { instrument: inst, visit };
    const transforms: string[] = [];
    const calibs: string[] = [];
    for (let d = 0; d < o.detectors; d++) {
      transforms.push(id('transformSourceTable', `${visit}/${d}`));
      calibs.push(id('calibrate', `${visit}/${d}`));
    }
    yield { id: id('consolidateSourceTable', `${visit}`), label: 'consolidateSourceTable', dataId, parents: transforms };
    yield { id: id('consolidateVisitSummary', `${visit}`), label: 'consolidateVisitSummary', dataId: { ...dataId }, parents: calibs };
  }

  // step3: per tract/patch (and band).
  for (let g = 0; g < o.patches; g++) {
    const tract = tractOf(o, g);
    const patch = patchOf(o, g);
    const pk = `${tract}/${patch}`;
    const vs = patchVisits(o, g);
    const warpsByBand = new Map<number, string[]>();
    for (const v of vs) {
      const visit = visitId(v);
      const parents: string[] = [];
      const d0 = (g * 7 + v * 3) % o.detectors;
      for (let j = 0; j < o.warpDetectors; j++) parents.push(id('calibrate', `${visit}/${(d0 + j) % o.detectors}`));
      parents.push(id('consolidateVisitSummary', `${visit}`));
      const wid = id('makeWarp', `${pk}/${visit}`);
      yield { id: wid, label: 'makeWarp', dataId: { instrument: inst, skymap: sky, tract, patch, visit }, parents };
      const b = bandOf(o, v);
      if (!warpsByBand.has(b)) warpsByBand.set(b, []);
      warpsByBand.get(b)!.push(wid);
    }
    const bands = patchBands(o, vs);
    const pbId = (b: number) => ({ skymap: sky, tract, patch, band: bandName(b) });
    const pId = () => ({ skymap: sky, tract, patch });
    for (const b of bands) {
      yield { id: id('assembleCoadd', `${pk}/${b}`), label: 'assembleCoadd', dataId: pbId(b), parents: warpsByBand.get(b)! };
      yield { id: id('detection', `${pk}/${b}`), label: 'detection', dataId: pbId(b), parents: [id('assembleCoadd', `${pk}/${b}`)] };
    }
    const merge = id('mergeDetections', pk);
    yield { id: merge, label: 'mergeDetections', dataId: pId(), parents: bands.map((b) => id('detection', `${pk}/${b}`)) };
    const deblend = id('deblend', pk);
    yield { id: deblend, label: 'deblend', dataId: pId(), parents: [merge] };
    for (const b of bands) {
      yield { id: id('measure', `${pk}/${b}`), label: 'measure', dataId: pbId(b), parents: [deblend, id('assembleCoadd', `${pk}/${b}`)] };
    }
    const mm = id('mergeMeasurements', pk);
    yield { id: mm, label: 'mergeMeasurements', dataId: pId(), parents: bands.map((b) => id('measure', `${pk}/${b}`)) };
    for (const b of bands) {
      yield { id: id('forcedPhotCoadd', `${pk}/${b}`), label: 'forcedPhotCoadd', dataId: pbId(b), parents: [mm, id('assembleCoadd', `${pk}/${b}`)] };
    }
  }
}

/** Options giving roughly n quanta (within a few percent for n >= 1000) with DRP-like proportions (~90% step1+2). */
export function syntheticOptionsForQuanta(n: number, seed = 1): SyntheticOptions {
  if (!Number.isFinite(n) || n < 1) throw new BadInputError(`must be a positive number (got ${n})`, { key: 'syntheticGraph.quanta' });
  const detectors = Math.min(189, Math.max(1, Math.round(Math.sqrt(n) / 10)));
  const bands = 5;
  const visitsPerPatch = 10;
  const perPatch = visitsPerPatch + 4 * bands + 3;
  const patches = Math.round((0.1 * n) / perPatch);
  const visits = Math.max(1, Math.round((n - patches * perPatch) / (5 * detectors + 2)));
  const tracts = patches > 0 ? Math.ceil(patches / 81) : 0;
  const patchesPerTract = tracts > 0 ? Math.max(1, Math.round(patches / tracts)) : 0;
  return {
    visits,
    detectors,
    tracts,
    patchesPerTract,
    bands: Math.min(bands, visits),
    visitsPerPatch: Math.min(visitsPerPatch, visits),
    seed,
  };
}
