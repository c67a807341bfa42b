// The BPS command-line options shared by submit and the stage commands (they override the YAML).
import type { Command } from 'commander';
import type { CliConfigOptions } from '../core/submit/config.js';
import { WMS_NAMES } from '../core/submit/wmsNames.js';

export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('--compute-site <site>', 'compute site (selects site.<site> settings and the executor queue)')
    .option('--wms-service-class <wms>', `workload system: ${WMS_NAMES.join(', ')} (BPS class names accepted)`)
    .option('-g, --qgraph <file>', 'use this quantum graph file instead of generating one')
    .option('--output-run <run>', 'output RUN collection')
    .option('-o, --output <coll>', 'output CHAINED collection')
    .option('-i, --input <colls>', 'input collections')
    .option('-p, --pipeline <yaml>', 'pipeline YAML (with #subset)')
    .option('-d, --data-query <query>', 'data query')
    .option('-b, --butler-config <repo>', 'butler repository');
}

export function configOptionsFrom(o: Record<string, unknown>): CliConfigOptions {
  const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    computeSite: s(o.computeSite),
    wmsServiceClass: s(o.wmsServiceClass),
    qgraph: s(o.qgraph),
    outputRun: s(o.outputRun),
    output: s(o.output),
    input: s(o.input),
    pipeline: s(o.pipeline),
    dataQuery: s(o.dataQuery),
    butlerConfig: s(o.butlerConfig),
  };
}
