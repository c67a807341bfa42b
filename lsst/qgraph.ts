// LSST graph generation: runs the configured `createQuantumGraph` command (pipetask qgraph ... --save-qgraph QG)
// with its output in the submit directory's quantumGraphGeneration.out, then converts the saved graph to the
// tbps format with lsst/export_qgraph.py (streaming; exportLsstGraph, also used for a given graph). Jobs keep using
// the LSST graph file (QG).
import path from 'node:path';
import type { BpsConfig } from '../core/config/index.js';
import { chmodUnder, FILE_MODE, resolveUnder } from '../core/files/confined.js';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { runProcess } from '../wms/local/runProcess.js';
import { EXPORT_QGRAPH_SCRIPT, lsstPython, requireLsstStack, withLsstPath } from './env.js';

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
    const qgraphFile = await exportLsstGraph(lsstQgraphFile, submitPath, runId);
    // Written by the stack with its own umask: the same mode as every other file of the submit directory.
    chmodUnder(submitPath, lsstQgraphFile, FILE_MODE);
    return { qgraphFile, lsstQgraphFile, generationLog };
  } finally {
    clearInterval(beat);
  }
}

/**
 * The tbps-format graph (what transform reads) of a saved LSST graph in the submit directory: lsst/export_qgraph.py
 * (streaming) writes `<runId>.qgraph.jsonl` next to it. The one place a pipe_base graph is converted.
 */
export async function exportLsstGraph(lsstQgraphFile: string, submitPath: string, runId: string): Promise<string> {
  const qgraphFile = resolveUnder(submitPath, `${runId}.qgraph.jsonl`);
  const exportLog = path.join(submitPath, 'qgraphExport.err');
  const exp = await runProcess({
    argv: [lsstPython(), EXPORT_QGRAPH_SCRIPT, lsstQgraphFile, '-o', qgraphFile],
    env: withLsstPath({ ...process.env }),
    cwd: submitPath,
    stdoutPath: path.join(submitPath, 'qgraphExport.out'),
    stderrPath: exportLog,
  });
  if (exp.exitCode !== 0)
    throw new GraphGenerationError(`exporting ${lsstQgraphFile} failed: ${rootCause(readTail(exportLog)) ?? `exit ${exp.exitCode}`}`);
  chmodUnder(submitPath, qgraphFile, FILE_MODE);
  return qgraphFile;
}
