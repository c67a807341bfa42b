// The submit YAMLs of the comparison: one per tool and mode, the same keys for both (BPS names), so that both read
// the same graph, with the same output collections, clustering and WMS (HTCondor, for prepare).
//   mode a: the graph is given and its output run is the submission's: nothing to rewrite. ctrl_bps rewrites a given
//           graph whenever a final job is configured (always), so its updateQuantumGraph is set to a no-op (`true`):
//           it still copies the graph into the submit directory, as tbps does.
//   mode b: the same graph under a new output run: both rewrite it (ctrl_bps: its default updateQuantumGraph,
//           `pipetask update-graph-run`; tbps: its own updateQuantumGraph).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { DATA_QUERY, GRAPH_OUTPUT, GRAPH_OUTPUT_RUN, INPUT_COLLECTION, PIPELINE, type ScaledGraph } from './scaledDemo.js';

export type Mode = 'a' | 'b';
export type Tool = 'bps' | 'tbps';

/** The clustering of config/examples/demo_drp.yaml (per detector, per visit, per patch), for --cluster. */
const DEMO_CLUSTERS = {
  clusterAlgorithm: 'lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering',
  cluster: {
    step1_detector: { pipetasks: 'isr, characterizeImage, calibrate, writeSourceTable, transformSourceTable', dimensions: 'visit, detector', equalDimensions: 'visit:exposure' },
    step2_visit: { pipetasks: 'consolidateSourceTable, consolidateVisitSummary', dimensions: 'visit' },
    step3_patch: { pipetasks: 'makeWarp, assembleCoadd, detection, mergeDetections, deblend, measure, mergeMeasurements, forcedPhotCoadd', dimensions: 'tract, patch' },
  },
};

export function outputRunOf(mode: Mode): string {
  return mode === 'a' ? GRAPH_OUTPUT_RUN : `${GRAPH_OUTPUT}/rerun`;
}

/** Writes the submit YAML of one tool, mode and repetition; returns its path and the submit directory it names. */
export function writeSubmitConfig(opts: { tool: Tool; mode: Mode; name: string; dir: string; graph: ScaledGraph; cluster: boolean }): { file: string; submitPath: string } {
  const submitPath = path.join(opts.dir, 'submit', opts.name);
  const config: Record<string, unknown> = {
    pipelineYaml: PIPELINE,
    qgraphFile: opts.graph.graph,
    operator: 'bench',
    project: 'bench',
    campaign: 'compare-bps',
    payload: {
      payloadName: 'compare',
      butlerConfig: opts.graph.repo,
      inCollection: INPUT_COLLECTION,
      dataQuery: DATA_QUERY,
      output: GRAPH_OUTPUT,
      outputRun: outputRunOf(opts.mode),
    },
    uniqProcName: opts.name,
    submitPath,
    wmsServiceClass: 'lsst.ctrl.bps.htcondor.HTCondorService',
    ...(opts.cluster ? DEMO_CLUSTERS : {}),
  };
  if (opts.tool === 'bps' && opts.mode === 'a') config.updateQuantumGraph = 'true {inputQgraphFile} {qgraphFile}';
  const file = path.join(opts.dir, `${opts.name}.yaml`);
  writeFileSync(file, stringify(config));
  return { file, submitPath };
}
