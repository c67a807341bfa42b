// Benchmark of the transform stage (read graph -> cluster -> generic workflow -> batches -> write) on a synthetic
// DRP graph. Usage: npx tsx bench/transform.ts --quanta N [--batch 1000] [--cluster] [--keep]
// Prints generation time, a parse-only baseline (stream + JSON.parse of the same file) with the ratio, phase
// timings; the LAST line is exactly: quanta=… jobs=… seconds=… peak_rss_mb=…
// (seconds = transform only, not graph generation; peak_rss_mb = process.resourceUsage().maxRSS for the process).
// For 1M quanta give node room: NODE_OPTIONS=--max-old-space-size=4096 npx tsx bench/transform.ts --quanta 1000000
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadBpsConfig } from '../core/config/index.js';
import { syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph } from '../core/qgraph/index.js';
import { transform } from '../core/workflow/index.js';

const { values } = parseArgs({
  options: {
    quanta: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    cluster: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const n = Number(values.quanta);
if (!Number.isFinite(n) || n < 1) {
  console.error('transform bench: --quanta must be a positive number');
  process.exit(2);
}
const dir = await mkdtemp(path.join(os.tmpdir(), 'tbps-bench-transform-'));
try {
  const qgraph = path.join(dir, 'bench.qg.jsonl');
  let t = performance.now();
  const { header, records } = syntheticGraph(syntheticOptionsForQuanta(n));
  const gen = await writeQuantumGraph(qgraph, header, records);
  console.log(`generate: quanta=${gen.quanta} bytes=${gen.bytes} seconds=${((performance.now() - t) / 1000).toFixed(2)}`);

  const submit = path.join(dir, 'submit.yaml');
  const clusterYaml = values.cluster
    ? `
clusterAlgorithm: lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering
cluster:
  step1detector:
    pipetasks: isr, characterizeImage, calibrate, writeSourceTable, transformSourceTable
    dimensions: visit, detector
    equalDimensions: visit:exposure
  step3coadd:
    pipetasks: assembleCoadd, detection
    dimensions: tract, patch, band
`
    : '';
  await writeFile(
    submit,
    `pipelineYaml: "synthetic DRP.yaml"
payload:
  payloadName: bench
  butlerConfig: /repo/butler.yaml
  inCollection: HSC/defaults
  dataQuery: "instrument='HSC'"
pipetask:
  calibrate:
    requestMemory: 4096
${clusterYaml}`,
  );
  const config = loadBpsConfig(submit, { operator: 'bench', cwd: dir });

  // Baseline: only stream and JSON-parse the graph file (the floor any transform of this file has to pay).
  t = performance.now();
  let parsed = 0;
  for await (const line of createInterface({ input: createReadStream(qgraph), crlfDelay: Infinity })) {
    JSON.parse(line);
    parsed++;
  }
  const baseline = (performance.now() - t) / 1000;

  t = performance.now();
  const res = await transform(qgraph, config, path.join(dir, 'submit'), { maxBatchJobs: Number(values.batch) });
  const seconds = (performance.now() - t) / 1000;
  const tm = res.timings;
  console.log(
    `phases: read=${tm.read.toFixed(2)} cluster=${tm.cluster.toFixed(2)} build=${tm.build.toFixed(2)} ` +
      `plan=${tm.plan.toFixed(2)} write=${tm.write.toFixed(2)} batches=${res.counts.batches} batchSize=${res.plan.batchSize}`,
  );
  console.log(`baseline: parse-only lines=${parsed} seconds=${baseline.toFixed(2)} transform/baseline=${(seconds / baseline).toFixed(2)}`);
  if (values.keep) console.log(`kept: ${dir}`);
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(`quanta=${res.counts.quanta} jobs=${res.counts.jobs} seconds=${seconds.toFixed(2)} peak_rss_mb=${Math.round(peak)}`);
} finally {
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}
