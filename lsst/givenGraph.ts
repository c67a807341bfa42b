// A pipe_base quantum graph given as `qgraphFile` (a `.qg`, or an old `.qgraph`), handled as BPS does: checked
// before the run starts (the LSST stack is there, the file is a readable graph), then copied into the submit
// directory under `qgraphFileTemplate` ({uniqProcName}.qg) -- rewritten on the way with the `updateQuantumGraph`
// template (`pipetask update-graph-run`) when the graph's output run differs from the submission's `outputRun`, or
// when it is in the old format (the rewrite writes the new one) -- and exported to the tbps format from that copy.
// The copy is what every job names (pipetaskInit, run-qbb, finalJob). Spawns Python; core/qgraph/graphFile.ts says
// which format a file is without it.
import { execFile } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BpsConfig } from '../core/config/index.js';
import { BadInputError } from '../core/errors.js';
import { chmodUnder, copyFileUnder, FILE_MODE, resolveUnder, writeFileUnder } from '../core/files/confined.js';
import { rootCause } from '../core/logs/rootCause.js';
import { readTail } from '../core/logs/tail.js';
import { graphFileFormat } from '../core/qgraph/graphFile.js';
import { runProcess } from '../processes/runProcess.js';
import { hasLsstStack, lsstPython, venvDir, withLsstPath } from './env.js';
import { exportLsstGraph, GraphGenerationError, type LsstGraph } from './qgraph.js';
import { repoRoot } from '../paths/index.js';

const QGRAPH_HEADER_SCRIPT = path.join(repoRoot, 'lsst', 'qgraph_header.py');
const run = promisify(execFile);

/** What lsst/qgraph_header.py says of a pipe_base graph. */
export interface LsstGraphHeader {
  format: 'qg' | 'qgraph';
  graphType: string;
  outputRun: string | null;
  output: string | null;
  inputs: string[];
  quanta: number | null;
}

/** Where the copy came from and what was done to it, written next to it (givenQgraph.json). */
export interface GivenGraphRecord {
  given: string;
  copy: string;
  givenOutputRun: string | null;
  outputRun: string;
  rewritten: boolean;
  rewriteCommand?: string[];
}

const where = (config: BpsConfig) => ({ file: config.fileOf('qgraphFile'), key: 'qgraphFile' });

/** The given qgraphFile when it is a pipe_base graph (by content), else undefined. Throws on a bad .qg/.qgraph. */
export function givenLsstGraphFile(config: BpsConfig): string | undefined {
  const given = config.get('qgraphFile');
  if (given === undefined || given === null || String(given) === '') return undefined;
  const file = config.getString('qgraphFile');
  return graphFileFormat(file, where(config)) === 'tbps-qgraph' ? undefined : file;
}

function requireStackFor(config: BpsConfig, file: string): void {
  if (!hasLsstStack())
    throw new BadInputError(
      `'${file}' is a pipe_base quantum graph, and reading it needs the LSST stack, which is not installed (no pipetask in ${venvDir()}/bin): run 'npm run setup' (or 'bash scripts/setup-lsst.sh'), or set TBPS_VENV to a venv with lsst-ctrl-mpexec`,
      where(config),
    );
}

/** Reads the graph's header with the stack's Python; a file that is not a readable graph is a BadInputError. */
export async function readLsstGraphHeader(config: BpsConfig, file: string): Promise<LsstGraphHeader> {
  requireStackFor(config, file);
  try {
    const out = await run(lsstPython(), [QGRAPH_HEADER_SCRIPT, file], { env: withLsstPath({ ...process.env }) as NodeJS.ProcessEnv, maxBuffer: 1 << 20 });
    return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '') as LsstGraphHeader;
  } catch (err) {
    const e = err as { code?: number; stderr?: string; message: string };
    const said = (e.stderr ?? '').trim().split('\n').filter(Boolean).at(-1)?.replace(/^qgraph_header: error: /, '');
    if (e.code === 2) throw new BadInputError(said ?? `'${file}' is not a readable pipe_base quantum graph`, where(config));
    throw new Error(`reading the header of '${file}' failed: ${said ?? e.message}`);
  }
}

/**
 * The pre-flight check of a given pipe_base graph (nothing written): the LSST stack is installed and the file is a
 * readable quantum graph. A tbps-format or absent qgraphFile passes untouched.
 */
export async function preflightLsstGraph(config: BpsConfig): Promise<LsstGraphHeader | undefined> {
  const file = givenLsstGraphFile(config);
  if (file === undefined) return undefined;
  const header = await readLsstGraphHeader(config, file);
  if (header.graphType !== 'predicted')
    throw new BadInputError(`'${file}' is a '${header.graphType}' graph; a run needs a predicted graph from 'pipetask qgraph --save-qgraph'`, where(config));
  return header;
}

/** The copy's path: qgraphFileTemplate under the submit directory; it must name a .qg (pipe_base reads by extension). */
function copyPath(config: BpsConfig, submitPath: string): string {
  const name = config.expand(String(config.get('qgraphFileTemplate') ?? '{uniqProcName}.qg'));
  if (path.extname(name) !== '.qg')
    throw new BadInputError(`'${name}' must end in '.qg': the given graph's copy is written in pipe_base's .qg format`, {
      file: config.fileOf('qgraphFileTemplate'),
      key: 'qgraphFileTemplate',
    });
  return resolveUnder(submitPath, name);
}

/**
 * Copies (or rewrites) the given pipe_base graph into the submit directory and exports the tbps-format graph from
 * the copy. Heartbeats while `pipetask update-graph-run` runs (minutes on a large graph).
 */
export async function acquireGivenLsstGraph(config: BpsConfig, file: string, submitPath: string, runId: string, heartbeat: () => void): Promise<LsstGraph> {
  const header = await preflightLsstGraph(config);
  if (!header) throw new Error(`'${file}' is not a pipe_base quantum graph`);
  const outputRun = config.getString('outputRun');
  const copy = copyPath(config, submitPath);
  const rewrite = header.format === 'qgraph' || header.outputRun !== outputRun;
  const record: GivenGraphRecord = { given: path.resolve(file), copy, givenOutputRun: header.outputRun, outputRun, rewritten: rewrite };
  const generationLog = path.join(submitPath, 'quantumGraphUpdate.out');
  if (rewrite) {
    // Written beside the copy and renamed over it: a copy is never half written, and a given file that is the
    // copy itself (a run submitted again from its own submit directory) is read whole before it is replaced.
    const updating = resolveUnder(submitPath, path.join(path.dirname(copy), `.${path.basename(copy, '.qg')}.updating.qg`));
    const argv = config.getArgv('updateQuantumGraph', {}, { inputQgraphFile: path.resolve(file), qgraphFile: updating });
    record.rewriteCommand = argv;
    const beat = setInterval(heartbeat, 5000);
    try {
      const res = await runProcess({ argv, env: withLsstPath({ ...process.env }), cwd: submitPath, stdoutPath: generationLog, stderrPath: generationLog });
      if (res.exitCode !== 0 || !existsSync(updating)) {
        rmSync(updating, { force: true });
        throw new GraphGenerationError(
          `rewriting the given quantum graph to output run '${outputRun}' failed (exit ${res.exitCode ?? res.signal}): ${rootCause(readTail(generationLog)) ?? 'see log'}; log: ${generationLog}`,
        );
      }
    } finally {
      clearInterval(beat);
    }
    // Written by the stack with its own umask: the same mode as every other file of the submit directory.
    chmodUnder(submitPath, updating, FILE_MODE);
    renameSync(updating, copy);
  } else if (path.resolve(file) !== copy) {
    copyFileUnder(submitPath, file, copy);
  }
  writeFileUnder(submitPath, 'givenQgraph.json', `${JSON.stringify(record, null, 2)}\n`);
  const qgraphFile = await exportLsstGraph(copy, submitPath, runId);
  return { qgraphFile, lsstQgraphFile: copy, generationLog };
}
