// The acquire stage for graphs that need no LSST stack: a user-given tbps graph file (`qgraphFile`) or a
// synthetic DRP-shaped graph (`syntheticGraph` section) written into the submit directory. A given pipe_base graph
// (.qg/.qgraph, told by content) is left to the LSST bridge (lsst/runGraph.ts), as is graph generation.
import path from 'node:path';
import type { BpsConfig } from '../config/index.js';
import { graphFileFormat } from './graphFile.js';
import { readQGraphHeader } from './reader.js';
import { syntheticGraph } from './synthetic.js';
import { syntheticOptionsFromConfig } from './syntheticConfig.js';
import { writeQuantumGraph } from './writer.js';

export interface AcquiredGraph {
  qgraphFile: string;
  quanta: number;
  source: 'file' | 'synthetic';
}

/** Returns undefined when the LSST stack must provide the graph: a given pipe_base graph, or no qgraphFile and no syntheticGraph. */
export async function acquireGraph(
  config: BpsConfig,
  submitPath: string,
  runId: string,
  onProgress?: (quanta: number) => void,
): Promise<AcquiredGraph | undefined> {
  const given = config.get('qgraphFile');
  if (given !== undefined && given !== null && String(given) !== '') {
    const file = config.getString('qgraphFile');
    if (graphFileFormat(file, { file: config.fileOf('qgraphFile'), key: 'qgraphFile' }) !== 'tbps-qgraph') return undefined;
    const header = await readQGraphHeader(file);
    return { qgraphFile: file, quanta: header.quanta ?? -1, source: 'file' };
  }
  const synth = config.section('syntheticGraph');
  if (!synth) return undefined;
  const opts = syntheticOptionsFromConfig(synth, (key) => config.fileOf(key));
  const { header, records } = syntheticGraph(opts);
  const file = path.join(submitPath, `${runId}.qgraph.jsonl`);
  let n = 0;
  const counted = (function* () {
    for (const r of records) {
      if (++n % 10000 === 0) onProgress?.(n);
      yield r;
    }
  })();
  const res = await writeQuantumGraph(file, header, counted, submitPath);
  return { qgraphFile: file, quanta: res.quanta, source: 'synthetic' };
}
