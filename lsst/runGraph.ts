// The LSST quantum graph of a run, for the graph stage once core/qgraph/acquire.ts has found no tbps-format or
// synthetic graph: a given pipe_base graph (qgraphFile: .qg or .qgraph) is copied, rewritten when needed and
// exported (givenGraph.ts); otherwise `pipetask qgraph` makes one (qgraph.ts).
import type { BpsConfig } from '../core/config/index.js';
import { acquireGivenLsstGraph, givenLsstGraphFile } from './givenGraph.js';
import { generateLsstGraph, type LsstGraph } from './qgraph.js';

export async function provideLsstGraph(config: BpsConfig, submitPath: string, runId: string, heartbeat: () => void): Promise<LsstGraph & { source: string }> {
  const given = givenLsstGraphFile(config);
  if (given !== undefined) return { ...(await acquireGivenLsstGraph(config, given, submitPath, runId, heartbeat)), source: `${given} (pipe_base graph)` };
  return { ...(await generateLsstGraph(config, submitPath, runId, heartbeat)), source: 'pipetask qgraph' };
}
