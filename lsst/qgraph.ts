// LSST graph generation: runs the configured `createQuantumGraph` command (pipetask qgraph ... --save-qgraph QG)
// with its output in the submit directory's quantumGraphGeneration.out; transform then reads the saved graph's thin
// part directly (exportLsstGraph: lsst/qgFile; old .qgraph files are converted). Jobs use the LSST graph file (QG).
import path from 'node:path';
import type { BpsConfig } from '../core/config/index.js';
import { chmodUnder, FILE_MODE, resolveUnder, writeFileUnder } from '../core/files/confined.js';
import { graphCacheKey, takeCachedGraph } from './graphCache.js';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { isBadInput } from '../core/errors.js';
import { runProcess } from '../processes/runProcess.js';
import { requireLsstStack, withLsstPath } from './env.js';
import { exportPipeBaseGraph, readsDirectly } from './qgFile/index.js';

export interface LsstGraph {
  /** The graph transform reads: the `.qg` itself (read by lsst/qgFile), or a tbps-format copy of an old `.qgraph`. */
  qgraphFile: string;
  /** The saved LSST graph (what run-qbb, pre-exec-init-qbb and the final job read). */
  lsstQgraphFile: string;
  generationLog: string;
  /** Set when the graph was made earlier from the same inputs (graphCache.ts): who made it. */
  reusedFrom?: string;
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
    // A graph `tbps campaign plan` made from the same inputs is used instead of making it again.
    const key = graphCacheKey(config, argv, lsstQgraphFile);
    const cached = takeCachedGraph(key, lsstQgraphFile);
    if (cached) {
      writeFileUnder(submitPath, generationLog, `reused the quantum graph made by ${cached.madeBy} at ${cached.madeAt} from the same inputs (key ${key})\n`);
      const qgraphFile = await exportLsstGraph(lsstQgraphFile, submitPath, runId);
      chmodUnder(submitPath, lsstQgraphFile, FILE_MODE);
      return { qgraphFile, lsstQgraphFile, generationLog, reusedFrom: cached.madeBy };
    }
    const gen = await runProcess({ argv, env, cwd: submitPath, stdoutPath: generationLog, stderrPath: generationLog });
    if (gen.exitCode !== 0)
      throw new GraphGenerationError(
        `quantum graph generation failed (exit ${gen.exitCode ?? gen.signal}): ${rootCause(readTail(generationLog)) ?? 'see log'}; log: ${generationLog}`,
      );
    const qgraphFile = await exportLsstGraph(lsstQgraphFile, submitPath, runId);
    // Written by the stack with its own umask: the same mode as every other file of the submit directory.
    chmodUnder(submitPath, lsstQgraphFile, FILE_MODE);
    return { qgraphFile, lsstQgraphFile, generationLog };
  } finally {
    clearInterval(beat);
  }
}

/**
 * The graph file transform reads for a saved LSST graph in the submit directory: the `.qg` itself when lsst/qgFile
 * reads its format (it registers with core/qgraph's reader; only the graph's thin part is read, no pipe_base import),
 * else (old `.qgraph`, other `.qg` versions) a tbps-format copy `<runId>.qgraph.jsonl` written next to it through
 * pipe_base. The one place a pipe_base graph is converted.
 */
export async function exportLsstGraph(lsstQgraphFile: string, submitPath: string, runId: string): Promise<string> {
  const env = withLsstPath({ ...process.env }) as NodeJS.ProcessEnv;
  try {
    if (await readsDirectly(lsstQgraphFile, env)) return lsstQgraphFile;
    const qgraphFile = resolveUnder(submitPath, `${runId}.qgraph.jsonl`);
    await exportPipeBaseGraph(lsstQgraphFile, qgraphFile, submitPath, env);
    chmodUnder(submitPath, qgraphFile, FILE_MODE);
    return qgraphFile;
  } catch (err) {
    throw new GraphGenerationError(`reading ${lsstQgraphFile} failed: ${isBadInput(err) ? err.problem : (err as Error).message}`);
  }
}
