// The submit YAMLs of bench:e2e: one body shared by tbps and ctrl_bps (the demo's step1 on one repository copy, the
// demo's per-visit/detector clustering, `butler aggregate-graph` as the final job with the same options, explicit
// output collections), plus what each needs to run on this machine with the same parallelism: tbps's local executor
// (its slots come from the executor worker) and ctrl_bps_parsl's Local site with `cores` slots.
import { stringify } from 'yaml';

export interface E2eRun {
  /** The repository copy this run writes to. */
  repo: string;
  /** The run's submit directory. */
  submitPath: string;
  /** pipeline YAML with its subset, e.g. ".../mock_drp.yaml#step1" */
  pipeline: string;
  dataQuery: string;
  /**
   * The output run collection, distinct per run: it is also the run's id (uniqProcName), and a run id submitted
   * again would find its earlier run's job records.
   */
  outputRun: string;
}

export const OUTPUT = 'u/e2e/step1';

function sharedBody(run: E2eRun): Record<string, unknown> {
  return {
    pipelineYaml: run.pipeline,
    operator: 'bench',
    project: 'e2e',
    campaign: 'e2e',
    payload: {
      payloadName: 'e2e_step1',
      butlerConfig: run.repo,
      inCollection: 'HSC/defaults',
      dataQuery: run.dataQuery,
      output: OUTPUT,
      outputRun: run.outputRun,
    },
    submitPath: run.submitPath,
    requestMemory: 1024,
    numberOfRetries: 2,
    // as config/examples/demo_drp.yaml: one job per visit/detector for step1 (33 jobs of 5 quanta)
    clusterAlgorithm: 'lsst.ctrl.bps.quantum_clustering_funcs.dimension_clustering',
    cluster: {
      step1_detector: {
        pipetasks: 'isr, characterizeImage, calibrate, writeSourceTable, transformSourceTable',
        dimensions: 'visit, detector',
        equalDimensions: 'visit:exposure',
      },
    },
    // the mock pipeline's outputs need it (lsst/README.md)
    extraAggregateOptions: '--mock-storage-classes',
    finalJob: { requestCpus: 1 },
  };
}

/** tbps: the local executor; the final job is `butler aggregate-graph`, as ctrl_bps's default. */
export function tbpsConfig(run: E2eRun): string {
  const body = sharedBody(run);
  body.finalJob = { ...(body.finalJob as object), command1: '{aggregateGraphCommand}' };
  return stringify({ ...body, wmsServiceClass: 'local', computeSite: 'local' });
}

/** ctrl_bps with ctrl_bps_parsl on this machine, `cores` jobs at a time. */
export function bpsConfig(run: E2eRun, cores: number): string {
  return stringify({
    ...sharedBody(run),
    wmsServiceClass: 'lsst.ctrl.bps.parsl.ParslService',
    computeSite: 'local',
    site: { local: { class: 'lsst.ctrl.bps.parsl.sites.Local', cores } },
  });
}
