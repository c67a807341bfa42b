// LSST graph generation: runs the configured `createQuantumGraph` command (pipetask qgraph ... --save-qgraph QG)
// with its output in the submit directory's quantumGraphGeneration.out, then converts the saved graph's thin part
// to the tbps format (lsst/qgFile). Jobs keep using the LSST graph file (QG).
import path from 'node:path';
import type { BpsConfig } from '../core/config/index.js';
import { chmodUnder, FILE_MODE, resolveUnder } from '../core/files/confined.js';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { runProcess } from '../wms/local/runProcess.js';
import { isBadInput } from '../core/errors.js';
import { requireLsstStack, withLsstPath } from './env.js';
import { exportPipeBaseGraph } from './qgFile/index.js';

export interface LsstGraph {
  /** The graph in tbps format (what transform reads). */
  qgraphFile: string;
  /** The saved LSST graph (what run-qbb, pre-exec-init-qbb and the final job read). */
  lsstQgraphFile: string;
  generationLog: string;
}

export class GraphGenerationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphGenerationError';
  }
}

export async function generateLsstGraph(config: BpsConfig, submitPath: string, runId: string, heartbeat: () => void): Promise<LsstGraph> {
  requireLsstStack();
  // pipetask writes this file itself: it must stay in the submit directory like every file tbps writes.
  const lsstQgraphFile = resolveUnder(submitPath, config.expand(String(config.get('qgraphFileTemplate') ?? '{uniqProcName}.qg')));
  const argv = config.getArgv('createQuantumGraph', {}, { qgraphFile: lsstQgraphFile });
  const env = withLsstPath({ ...process.env });
  const generationLog = path.join(submitPath, 'quantumGraphGeneration.out');
  const beat = setInterval(heartbeat, 5000);
  try {
    const gen = await runProcess({ argv, env, cwd: submitPath, stdoutPath: generationLog, stderrPath: generationLog });
    if (gen.exitCode !== 0)
      throw new GraphGenerationError(
        `quantum graph generation failed (exit ${gen.exitCode ?? gen.signal}): ${rootCause(readTail(generationLog)) ?? 'see log'}; log: ${generationLog}`,
      );
    const qgraphFile = path.join(submitPath, `${runId}.qgraph.jsonl`);
    try {
      await exportPipeBaseGraph(lsstQgraphFile, qgraphFile, submitPath, env as NodeJS.ProcessEnv);
    } catch (err) {
      throw new GraphGenerationError(`reading ${lsstQgraphFile} failed: ${isBadInput(err) ? err.problem : (err as Error).message}`);
    }
    // Written by the stack with its own umask: the same mode as every other file of the submit directory.
    for (const f of [lsstQgraphFile, qgraphFile]) chmodUnder(submitPath, f, FILE_MODE);
    return { qgraphFile, lsstQgraphFile, generationLog };
  } finally {
    clearInterval(beat);
  }
}
