// Tests of quantum clustering: single-quantum default, dimension clustering (equalDimensions, clusterTemplate,
// partitioning, findDependencyMethod) and the configuration errors (duplicate/unknown labels, missing dimensions,
// cycles).
import { describe, expect, it } from 'vitest';
import { clusterQuanta, type Cluster } from '../../core/cluster/index.js';
import { graphFromRecords, syntheticGraph, type QuantumGraph } from '../../core/qgraph/index.js';
import { configFromYaml, graph, errorOf } from '../fixtures/transform/config.js';

const DIM = 'clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering\n';

function drp(): QuantumGraph {
  const { header, records } = syntheticGraph({ visits: 4, detectors: 3, tracts: 1, patchesPerTract: 2, bands: 2, visitsPerPatch: 4 });
  return graphFromRecords(header, records);
}

/** Checks that hold for every clustering: a partition of the quanta, parents derived from quanta, topological. */
function checkInvariants(g: QuantumGraph, clusters: Cluster[]): void {
  const clusterOf = new Int32Array(g.size).fill(-1);
  clusters.forEach((c, k) => {
    expect(c.quanta.length).toBeGreaterThan(0);
    for (let j = 1; j < c.quanta.length; j++) expect(c.quanta[j]).toBeGreaterThan(c.quanta[j - 1]);
    for (const q of c.quanta) {
      expect(clusterOf[q]).toBe(-1);
      clusterOf[q] = k;
    }
  });
  expect(clusterOf.every((c) => c >= 0)).toBe(true);
  expect(new Set(clusters.map((c) => c.name)).size).toBe(clusters.length);
  clusters.forEach((c, k) => {
    const expected = new Set<number>();
    for (const q of c.quanta) for (const p of g.parents(q)) if (clusterOf[p] !== k) expected.add(clusterOf[p]);
    expect(new Set(c.parents)).toEqual(expected);
    for (const p of c.parents) expect(p).toBeLessThan(k);
  });
}

describe('single-quantum clustering', () => {
  /** The quantum of `label` whose data id has these values. */
  const quantum = (g: QuantumGraph, label: string, values: Record<string, string | number>): number => {
    for (let q = 0; q < g.size; q++) {
      const d = g.dataId(q);
      if (g.label(q) === label && Object.entries(values).every(([k, v]) => d[k] === v)) return q;
    }
    throw new Error(`no ${label} quantum with ${JSON.stringify(values)}`);
  };

  it('names each cluster as ctrl_bps does: node id, label, data id, a trailing _ where trailing fields are empty', () => {
    const g = drp();
    const { clusters } = clusterQuanta(g, configFromYaml(''));
    expect(clusters).toHaveLength(g.size);
    checkInvariants(g, clusters);
    const nameOf = (label: string, values: Record<string, string | number>) => clusters.find((c) => c.quanta[0] === quantum(g, label, values))!.name;
    const id = (label: string, values: Record<string, string | number>) => g.id(quantum(g, label, values));
    const isr = { exposure: 903334, detector: 0 };
    expect(nameOf('isr', isr)).toBe(`${id('isr', isr)}_isr_903334_0`);
    expect(nameOf('calibrate', { visit: 903336, detector: 2 })).toBe(`${id('calibrate', { visit: 903336, detector: 2 })}_calibrate_903336_2`);
    // {tract}_{patch}_{band}_{visit}_{exposure}_{detector}: an empty detector leaves the trailing '_' (ctrl_bps keeps it)
    expect(nameOf('consolidateVisitSummary', { visit: 903334 })).toBe(`${id('consolidateVisitSummary', { visit: 903334 })}_consolidateVisitSummary_903334_`);
    const coadd = { tract: 9813, patch: 1, band: 'g' };
    expect(nameOf('assembleCoadd', coadd)).toBe(`${id('assembleCoadd', coadd)}_assembleCoadd_9813_1_g_`);
    const warp = { tract: 9813, patch: 0, visit: 903334 };
    expect(nameOf('makeWarp', warp)).toBe(`${id('makeWarp', warp)}_makeWarp_9813_0_903334_`);
    for (const c of clusters) expect(c.name.startsWith(`${g.id(c.quanta[0])}_${c.label}_`)).toBe(true);
    const c = clusters[0];
    expect(c).toMatchObject({ label: 'isr', taskLabels: ['isr'], quanta: [0], parents: [], tags: {} });
  });

  it('leaves the node id out with useNodeIdInClusterName: false, at the root or per task', () => {
    const g = drp();
    const names = clusterQuanta(g, configFromYaml('useNodeIdInClusterName: false\n')).clusters.map((c) => c.name);
    expect(names).toContain('isr_903334_0');
    expect(names).toContain('consolidateVisitSummary_903334_');
    expect(names).toContain('assembleCoadd_9813_1_g_');
    const perTask = clusterQuanta(g, configFromYaml('pipetask:\n  isr:\n    useNodeIdInClusterName: false\n')).clusters;
    expect(perTask.find((c) => c.quanta[0] === quantum(g, 'isr', { exposure: 903334, detector: 0 }))!.name).toBe('isr_903334_0');
    const calibrate = quantum(g, 'calibrate', { visit: 903336, detector: 2 });
    expect(perTask.find((c) => c.quanta[0] === calibrate)!.name).toBe(`${g.id(calibrate)}_calibrate_903336_2`);
    expect(errorOf(() => clusterQuanta(g, configFromYaml('useNodeIdInClusterName: sometimes\n'))).message).toMatch(/useNodeIdInClusterName.*true or false/);
  });

  it('keeps names unique and honours templateDataId per task', () => {
    const g = graph(
      [{ label: 't', dimensions: ['visit'] }],
      [
        { id: 'a', label: 't', dataId: { visit: 1, x: 1 }, parents: [] },
        { id: 'b', label: 't', dataId: { visit: 1, x: 2 }, parents: [] },
      ],
    );
    expect(clusterQuanta(g, configFromYaml('')).clusters.map((c) => c.name)).toEqual(['a_t_1_', 'b_t_1_']);
    // without the node id the names repeat: tbps appends _2 (ctrl_bps would stop with a duplicate-cluster error)
    expect(clusterQuanta(g, configFromYaml('useNodeIdInClusterName: false\n')).clusters.map((c) => c.name)).toEqual(['t_1_', 't_1_2']);
    const cfg = configFromYaml('useNodeIdInClusterName: false\npipetask:\n  t:\n    templateDataId: "v{visit}x{x}"\n');
    expect(clusterQuanta(g, cfg).clusters.map((c) => c.name)).toEqual(['t_v1x1', 't_v1x2']);
  });

  it('cleans names in ctrl_bps order: runs of _ collapse first, then / becomes _; leading _ stays', () => {
    const g = graph(
      [{ label: 't', dimensions: ['skymap'] }],
      [{ id: 'q1', label: 't', dataId: { skymap: 'discrete/ci_hsc', band: '' }, parents: [] }],
    );
    const names = (yaml: string) => clusterQuanta(g, configFromYaml(yaml)).clusters.map((c) => c.name);
    expect(names('useNodeIdInClusterName: false\ntemplateDataId: "{skymap}"\n')).toEqual(['t_discrete_ci_hsc']);
    // t_ + "_/" + "" + "_discrete/ci_hsc__": collapse -> t_/_discrete/ci_hsc_, then '/' -> t___discrete_ci_hsc_
    expect(names('useNodeIdInClusterName: false\ntemplateDataId: "_/{band}_{skymap}__"\n')).toEqual(['t___discrete_ci_hsc_']);
  });

  it('ignores a cluster section without clusterAlgorithm: dimension_clustering (with a warning)', () => {
    const cfg = configFromYaml('cluster:\n  c:\n    pipetasks: isr\n    dimensions: detector\n');
    const res = clusterQuanta(drp(), cfg);
    expect(res.clusters.length).toBe(drp().size);
  });
});

describe('dimension clustering', () => {
  it('groups step1 by visit and detector with equalDimensions visit:exposure', () => {
    const g = drp();
    const cfg = configFromYaml(
      DIM +
        `cluster:
  calexp:
    pipetasks: isr, characterizeImage, calibrate
    dimensions: visit, detector
    equalDimensions: visit:exposure
`,
    );
    const { clusters } = clusterQuanta(g, cfg);
    checkInvariants(g, clusters);
    const calexp = clusters.filter((c) => c.label === 'calexp');
    expect(calexp).toHaveLength(12);
    for (const c of calexp) {
      expect(c.quanta.map((q) => g.label(q))).toEqual(['isr', 'characterizeImage', 'calibrate']);
      expect(c.taskLabels).toEqual(['isr', 'characterizeImage', 'calibrate']);
      expect(c.name).toBe(`calexp_${c.tags.visit}_${c.tags.detector}`);
      expect(c.parents).toEqual([]);
    }
    expect(calexp[0].tags).toEqual({ visit: 903334, detector: 0 });
    // the rest stays single-quantum; writeSourceTable depends on the calexp cluster
    const wst = clusters.find((c) => c.label === 'writeSourceTable' && c.name.endsWith('_writeSourceTable_903334_0'))!;
    expect(wst.parents.map((p) => clusters[p].name)).toEqual(['calexp_903334_0']);
    expect(clusters.length).toBe(g.size - 12 * 3 + 12);
  });

  it('uses clusterTemplate (quanta with equal names share a cluster)', () => {
    const g = drp();
    const cfg = configFromYaml(
      DIM +
        `cluster:
  perVisit:
    pipetasks: writeSourceTable, transformSourceTable, consolidateSourceTable
    dimensions: visit
    clusterTemplate: "visit{visit}"
  coadd:
    pipetasks: assembleCoadd, detection
    dimensions: tract, patch, band
    clusterTemplate: "{tract}_{patch}"
`,
    );
    const { clusters } = clusterQuanta(g, cfg);
    checkInvariants(g, clusters);
    const visit = clusters.find((c) => c.name === 'visit903334')!;
    expect(visit.quanta).toHaveLength(3 * 2 + 1);
    const coadd = clusters.filter((c) => c.label === 'coadd');
    expect(coadd.map((c) => c.name).sort()).toEqual(['9813_0', '9813_1']);
    expect(coadd[0].quanta).toHaveLength(4); // 2 bands x (assembleCoadd, detection)
  });

  it('partitions by partitionMaxSize and partitionMaxClusters', () => {
    const g = drp();
    const section = (extra: string) =>
      configFromYaml(DIM + `cluster:\n  step1:\n    pipetasks: isr, characterizeImage\n    dimensions: visit\n    equalDimensions: visit:exposure\n    partitionDimensions: detector\n${extra}`);
    // 3 detectors, at most 2 per part -> parts {0,1} and {2}
    let res = clusterQuanta(g, section('    partitionMaxSize: 2\n'));
    checkInvariants(g, res.clusters);
    let step1 = res.clusters.filter((c) => c.label === 'step1');
    expect(step1).toHaveLength(8);
    expect(step1.map((c) => c.name)).toContain('step1_903334_001');
    expect(step1.map((c) => c.name)).toContain('step1_903334_002');
    const first = step1.find((c) => c.name === 'step1_903334_001')!;
    expect(first.quanta.map((q) => g.dataId(q).detector).sort()).toEqual([0, 0, 1, 1]);
    // 4 visits, at most 9 clusters -> 2 parts per visit (3 detectors: sizes 2 and 1)
    res = clusterQuanta(g, section('    partitionMaxClusters: 9\n'));
    step1 = res.clusters.filter((c) => c.label === 'step1');
    expect(step1).toHaveLength(8);
    // at most 12 clusters -> 3 parts per visit
    res = clusterQuanta(g, section('    partitionMaxClusters: 12\n'));
    expect(res.clusters.filter((c) => c.label === 'step1')).toHaveLength(12);
    expect(errorOf(() => clusterQuanta(g, section('    partitionMaxClusters: 3\n'))).message).toMatch(
      /cluster.step1.partitionMaxClusters.*is 3 but the cluster dimensions already give 4 clusters/,
    );
    expect(errorOf(() => clusterQuanta(g, section(''))).message).toMatch(/neither partitionMaxClusters nor partitionMaxSize/);
    expect(errorOf(() => clusterQuanta(g, section('    partitionMaxSize: 1\n    partitionMaxClusters: 9\n'))).message).toMatch(
      /set only one of partitionMaxClusters and partitionMaxSize/,
    );
  });

  it('findDependencyMethod fills missing dimensions from connected quanta', () => {
    const g = drp();
    // consolidateSourceTable has no detector: without findDependencyMethod this is an error ...
    const yaml = (m: string) =>
      configFromYaml(DIM + `cluster:\n  tables:\n    pipetasks: transformSourceTable, consolidateSourceTable\n    dimensions: visit, detector\n${m}`);
    expect(errorOf(() => clusterQuanta(g, yaml(''))).message).toMatch(
      /key 'cluster.tables.dimensions'.*task "consolidateSourceTable" has no dimension "detector"/,
    );
    // ... with source, the walk starts at transformSourceTable and each consolidate joins the cluster of the
    // first parent that reaches it.
    const source = clusterQuanta(g, yaml('    findDependencyMethod: source\n'));
    checkInvariants(g, source.clusters);
    const tables = source.clusters.filter((c) => c.label === 'tables');
    expect(tables).toHaveLength(12);
    const withConsolidate = tables.filter((c) => c.quanta.some((q) => g.label(q) === 'consolidateSourceTable'));
    expect(withConsolidate).toHaveLength(4);
    for (const c of withConsolidate) expect(c.quanta.every((q) => g.dataId(q).visit === c.tags.visit)).toBe(true);
    // with sink, values come from children: consolidate has none in the cluster.
    expect(errorOf(() => clusterQuanta(g, yaml('    findDependencyMethod: sink\n'))).message).toMatch(
      /consolidateSourceTable.*has no value for dimension "detector" and no child in the cluster to take it from/,
    );
    // sink: isr has exposure, not visit; it takes visit/detector from its characterizeImage child.
    const sink = clusterQuanta(
      g,
      configFromYaml(DIM + 'cluster:\n  calexp:\n    pipetasks: isr, characterizeImage\n    dimensions: visit, detector\n    findDependencyMethod: sink\n'),
    );
    checkInvariants(g, sink.clusters);
    const calexp = sink.clusters.filter((c) => c.label === 'calexp');
    expect(calexp).toHaveLength(12);
    for (const c of calexp) expect(c.quanta.map((q) => g.label(q))).toEqual(['isr', 'characterizeImage']);
    expect(errorOf(() => clusterQuanta(g, yaml('    findDependencyMethod: up\n'))).message).toMatch(/must be "source" or "sink"/);
  });

  it('reports a label in two clusters, unknown labels and missing dimensions', () => {
    const g = drp();
    expect(
      errorOf(() => clusterQuanta(g, configFromYaml(DIM + 'cluster:\n  a:\n    pipetasks: isr\n  b:\n    pipetasks: calibrate, isr\n'))).message,
    ).toMatch(/key 'cluster.b.pipetasks': task label "isr" is already in cluster "a"/);
    const unknown = errorOf(() => clusterQuanta(g, configFromYaml(DIM + 'cluster:\n  a:\n    pipetasks: isr, isrr\n')));
    expect(unknown.message).toMatch(/key 'cluster.a.pipetasks': unknown task label "isrr"; the graph has: isr, characterizeImage/);
    expect(unknown.message).toContain('submit.yaml');
    expect(
      errorOf(() => clusterQuanta(g, configFromYaml(DIM + 'cluster:\n  a:\n    pipetasks: isr\n    dimensions: visit, detector\n'))).message,
    ).toMatch(/key 'cluster.a.dimensions': task "isr" has no dimension "visit"/);
    expect(errorOf(() => clusterQuanta(g, configFromYaml(DIM + 'cluster:\n  a:\n    dimensions: visit\n'))).message).toMatch(
      /cluster.a.pipetasks.*is missing or empty/,
    );
    expect(errorOf(() => clusterQuanta(g, configFromYaml(DIM + 'cluster:\n  a:\n    pipetasks: isr\n    equalDimensions: visit\n'))).message).toMatch(
      /"visit" is not a pair/,
    );
    expect(errorOf(() => clusterQuanta(g, configFromYaml('clusterAlgorithm: my.own.algo\n'))).message).toMatch(/unknown clustering algorithm/);
  });

  it('skips a section none of whose tasks is in the graph (subset runs)', () => {
    const g = drp();
    const res = clusterQuanta(g, configFromYaml(DIM + 'cluster:\n  other:\n    pipetasks: fgcm, jointcal\n    dimensions: tract\n'));
    expect(res.clusters).toHaveLength(g.size);
    expect(res.warnings.join()).toMatch(/none of its pipetasks/);
  });

  it('reports a cycle between cluster definitions', () => {
    const g = drp();
    // isr and calibrate in one cluster, characterizeImage (between them) outside: calexp -> characterizeImage -> calexp
    const err = errorOf(() =>
      clusterQuanta(
        g,
        configFromYaml(DIM + 'cluster:\n  calexp:\n    pipetasks: isr, calibrate\n    dimensions: visit, detector\n    equalDimensions: visit:exposure\n'),
      ),
    );
    expect(err.message).toMatch(/key 'cluster': cluster definitions make a cycle: (calexp -> characterizeImage -> calexp|characterizeImage -> calexp -> characterizeImage)/);
  });

  it('reports a cycle between clusters of one definition', () => {
    // a(x=1) -> b(x=2) and a(x=2) -> b(x=1): clusters by x depend on each other.
    const g = graph(
      [
        { label: 'a', dimensions: ['x'] },
        { label: 'b', dimensions: ['x'] },
      ],
      [
        { id: 'a1', label: 'a', dataId: { x: 1 }, parents: [] },
        { id: 'a2', label: 'a', dataId: { x: 2 }, parents: [] },
        { id: 'b1', label: 'b', dataId: { x: 1 }, parents: ['a2'] },
        { id: 'b2', label: 'b', dataId: { x: 2 }, parents: ['a1'] },
      ],
    );
    const err = errorOf(() => clusterQuanta(g, configFromYaml(DIM + 'cluster:\n  ab:\n    pipetasks: a, b\n    dimensions: x\n')));
    expect(err.message).toMatch(/clusters depend on each other in a cycle: ab_(1 -> ab_2 -> ab_1|2 -> ab_1 -> ab_2)/);
  });

  it('orders clusters topologically and keeps dependency order inside', () => {
    const g = drp();
    const cfg = configFromYaml(
      DIM +
        `cluster:
  coadd:
    pipetasks: assembleCoadd, detection, measure, forcedPhotCoadd
    dimensions: tract, patch, band
  merge:
    pipetasks: mergeDetections, deblend, mergeMeasurements
    dimensions: tract, patch
`,
    );
    // coadd clusters would need merge (measure needs deblend) and merge needs coadd (mergeDetections needs
    // detection): a cycle on the task level.
    expect(errorOf(() => clusterQuanta(g, cfg)).message).toMatch(/cluster definitions make a cycle/);
    const ok = configFromYaml(
      DIM +
        `cluster:
  warps:
    pipetasks: makeWarp
    dimensions: tract, patch
  coadd:
    pipetasks: assembleCoadd, detection
    dimensions: tract, patch, band
`,
    );
    const { clusters } = clusterQuanta(g, ok);
    checkInvariants(g, clusters);
    const warps = clusters.find((c) => c.name === 'warps_9813_0')!;
    expect(warps.quanta).toHaveLength(4);
    const coadd = clusters.find((c) => c.name === 'coadd_9813_0_g')!;
    expect(coadd.parents.map((p) => clusters[p].name)).toEqual(['warps_9813_0']);
  });
});
