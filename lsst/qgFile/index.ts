// Reading a pipe_base quantum graph file (`.qg`, written by `pipetask qgraph --save-qgraph`): the one place that
// knows the LSST on-disk format. Only the thin part of the graph is read (header, serialized pipeline graph, thin
// graph: quantum ids, task labels, data coordinates, quantum-to-quantum edges); the per-quantum dataset blocks, the
// dimension records and the task classes are never touched. The zip and its zstd blocks are opened by
// lsst/qg_blocks.py (no `lsst` import), everything else happens here. Files this reader does not know (the old
// `.qgraph` pickle format, `.qg` format versions other than 1) go through lsst/export_qgraph.py, which loads them
// with pipe_base itself.
import path from 'node:path';
import { BadInputError } from '../../core/errors.js';
import { rootCause } from '../../core/logs/rootCause.js';
import { readTail } from '../../core/logs/tail.js';
import { graphFromRecords, registerGraphFileReader, writeQuantumGraph, type QGraphHeader, type QuantumRecord } from '../../core/qgraph/index.js';
import { runProcess } from '../../processes/runProcess.js';
import { EXPORT_QGRAPH_SCRIPT, lsstPython, lsstVersions } from '../env.js';
import { readQgBlocks } from './blocks.js';
import { taskDimensions } from './taskDimensions.js';
import { thinGraphRecords } from './thinGraph.js';

/** The format version of `.qg` files this reader understands (pipe_base's FORMAT_VERSION 1: UUIDs everywhere). */
const QG_FORMAT_VERSION = 1;

interface QgHeader {
  version?: number;
  graph_type?: string;
  inputs?: string[];
  output?: string | null;
  output_run?: string;
  user?: string;
  timestamp?: string;
  command?: string;
  metadata?: Record<string, unknown>;
  n_quanta?: number;
  n_datasets?: number;
  n_task_quanta?: Record<string, number>;
}

export interface PipeBaseGraph {
  /** The header in tbps form (tasks with their required dimensions, provenance in metadata). */
  header: QGraphHeader;
  /** The quanta in topological order, made one at a time while iterating. */
  records: Iterable<QuantumRecord>;
}

function parseJson(block: Buffer, name: string, file: string): unknown {
  try {
    return JSON.parse(block.toString('utf8'));
  } catch (err) {
    throw new BadInputError(`${name} block is not JSON (${(err as Error).message})`, { file });
  }
}

/** The value of an option (e.g. -p / --pipeline) in the command line pipe_base recorded (argv joined by spaces). */
export function optionFromCommand(command: string, ...names: string[]): string | undefined {
  const words = command.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    for (const name of names) {
      if (words[i] === name && i + 1 < words.length) return words[i + 1];
      if (name.startsWith('--') && words[i].startsWith(`${name}=`)) return words[i].slice(name.length + 1);
    }
  }
  return undefined;
}

/** A `.qg` of another format version than this reader's (pipe_base itself can still load it). */
export class UnknownQgVersionError extends BadInputError {
  constructor(version: unknown, file: string) {
    super(`header: format version ${JSON.stringify(version)}; this reader knows version ${QG_FORMAT_VERSION}`, { file });
  }
}

/** The header of a `.qg` file (what decides whether a given graph must be rewritten to another output run). */
export interface PipeBaseGraphHeader {
  version: number | null;
  graphType: string | null;
  outputRun: string | null;
  output: string | null;
  inputs: string[];
  quanta: number | null;
}

/** Reads only the header block of a `.qg` file: one Python start without `lsst` (tens of milliseconds). */
export async function readPipeBaseHeader(file: string, env: NodeJS.ProcessEnv = process.env): Promise<PipeBaseGraphHeader> {
  const blocks = await readQgBlocks(file, ['header'], env);
  const h = parseJson(blocks.get('header')!, 'header', file) as QgHeader;
  if (!h || typeof h !== 'object') throw new BadInputError('header block is not a JSON object', { file });
  return {
    version: h.version ?? null,
    graphType: h.graph_type ?? null,
    outputRun: h.output_run || null,
    output: h.output || null,
    inputs: h.inputs ?? [],
    quanta: h.n_quanta ?? null,
  };
}

/** Reads the thin graph of a `.qg` file (format version 1) into tbps records. */
export async function readPipeBaseGraph(file: string, env: NodeJS.ProcessEnv = process.env): Promise<PipeBaseGraph> {
  const blocks = await readQgBlocks(file, ['header', 'pipeline_graph', 'thin_graph'], env);
  const qgHeader = parseJson(blocks.get('header')!, 'header', file) as QgHeader;
  if (qgHeader.graph_type !== 'predicted')
    throw new BadInputError(`header: graph_type ${JSON.stringify(qgHeader.graph_type)}; expected a predicted quantum graph ("predicted")`, { file });
  if (qgHeader.version !== QG_FORMAT_VERSION) throw new UnknownQgVersionError(qgHeader.version, file);
  const tasks = taskDimensions(parseJson(blocks.get('pipeline_graph')!, 'pipeline_graph', file), file);
  blocks.delete('pipeline_graph');
  const thin = thinGraphRecords(blocks.get('thin_graph')!, tasks, file, qgHeader.n_quanta ?? 0);
  blocks.delete('thin_graph');
  if (qgHeader.n_quanta !== undefined && qgHeader.n_quanta !== thin.quanta)
    throw new BadInputError(`header says n_quanta=${qgHeader.n_quanta} but the thin graph has ${thin.quanta} quanta`, { file });

  const command = qgHeader.command ?? '';
  const metadataIn = qgHeader.metadata ?? {};
  const header: QGraphHeader = {
    format: 'tbps-qgraph',
    version: 1,
    metadata: {
      source: path.resolve(file),
      butler: metadataIn.butler_argument ?? optionFromCommand(command, '-b', '--butler-config') ?? null,
      inputs: qgHeader.inputs ?? [],
      output: qgHeader.output || null,
      outputRun: qgHeader.output_run ?? null,
      pipeline: optionFromCommand(command, '-p', '--pipeline') ?? null,
      dataQuery: metadataIn.data_query ?? null,
      user: qgHeader.user ?? null,
      timestamp: qgHeader.timestamp ?? null,
      command,
      nDatasets: qgHeader.n_datasets ?? null,
      taskQuanta: qgHeader.n_task_quanta ?? {},
      versions: lsstVersions(env) ?? null,
      reader: 'tbps lsst/qgFile',
    },
    tasks: tasks.map((t) => ({ label: t.label, dimensions: t.required, ...(t.taskClass ? { taskClass: t.taskClass } : {}) })),
    quanta: thin.quanta,
  };
  return { header, records: thin.records };
}

/**
 * Whether transform can read this file directly (a `.qg` of the format version this reader knows), so that no
 * tbps-format copy is needed. Reads only the header.
 */
export async function readsDirectly(file: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (file.endsWith('.qgraph')) return false;
  return (await readPipeBaseHeader(file, env)).version === QG_FORMAT_VERSION;
}

/** A pipe_base `.qg` is a zip archive: its first bytes are a local file header. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

// core/qgraph's readQuantumGraph reads a `.qg` through this module (core knows no LSST format): transform and the
// cluster stage then take the pipe_base graph as it is. Registered when this module is loaded, which every caller of
// exportLsstGraph (lsst/qgraph.ts) does before it hands the path on.
registerGraphFileReader({
  recognizes: (firstBytes) => firstBytes.subarray(0, 4).equals(ZIP_MAGIC),
  async read(path) {
    const graph = await readPipeBaseGraph(path);
    return graphFromRecords(graph.header, graph.records);
  },
});

export interface ExportedGraph {
  quanta: number;
  /** 'qgFile' when read here, 'pipe_base' when lsst/export_qgraph.py had to load the file. */
  reader: 'qgFile' | 'pipe_base';
}

/**
 * Writes a pipe_base graph file (`.qg`, or old `.qgraph`) as a tbps-qgraph JSON Lines file (core/qgraph/FORMAT.md)
 * under `submitPath`. Bad input is a BadInputError naming the file.
 */
export async function exportPipeBaseGraph(lsstQgraphFile: string, qgraphFile: string, submitPath: string, env: NodeJS.ProcessEnv = process.env): Promise<ExportedGraph> {
  if (!lsstQgraphFile.endsWith('.qgraph')) {
    try {
      const graph = await readPipeBaseGraph(lsstQgraphFile, env);
      const written = await writeQuantumGraph(qgraphFile, graph.header, graph.records, submitPath);
      return { quanta: written.quanta, reader: 'qgFile' };
    } catch (err) {
      if (!(err instanceof UnknownQgVersionError)) throw err;
    }
  }
  // Old `.qgraph` files, and `.qg` versions this reader does not know: pipe_base loads them.
  const log = path.join(submitPath, 'qgraphExport.err');
  const result = await runProcess({
    argv: [lsstPython(env), EXPORT_QGRAPH_SCRIPT, lsstQgraphFile, '-o', qgraphFile],
    env,
    cwd: submitPath,
    stdoutPath: path.join(submitPath, 'qgraphExport.out'),
    stderrPath: log,
  });
  const cause = () => rootCause(readTail(log)) ?? `see ${log}`;
  if (result.exitCode === 2) throw new BadInputError(`pipe_base cannot read it: ${cause()}`, { file: lsstQgraphFile });
  if (result.exitCode !== 0) throw new Error(`exporting ${lsstQgraphFile} with lsst/export_qgraph.py failed (exit ${result.exitCode ?? result.signal}): ${cause()}`);
  return { quanta: -1, reader: 'pipe_base' };
}
