// Streaming reader of the tbps-qgraph JSON Lines format: readline over a file stream, one record at a time, into a
// CompactQuantumGraph. Never holds the file as one string. Problems are BadInputErrors with file and line number.

import { createReadStream } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BadInputError } from '../errors.js';
import { CompactQuantumGraph, QuantumGraphBuilder } from './compact.js';
import { validateHeader } from './header.js';
import type { QGraphHeader, QuantumRecord } from './model.js';

/** Text safe for a one-line message: control characters shown as \uXXXX. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A first line that is not text (a zip such as pipe_base's .qg, or another binary file). */
function looksBinary(line: string): boolean {
  // eslint-disable-next-line no-control-regex
  return line.startsWith('PK\u0003\u0004') || /[\u0000-\u0008\u000e-\u001a\ufffd]/.test(line.slice(0, 512));
}

function parseLine(line: string, file: string, lineNo: number): unknown {
  if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) throw new BadInputError(`line ${lineNo}: blank line; the format allows none`, { file });
  try {
    return JSON.parse(line);
  } catch (e) {
    if (lineNo === 1 && looksBinary(line)) {
      throw new BadInputError(
        "line 1: not a tbps quantum-graph file (the file is binary); qgraphFile takes the tbps-qgraph JSON Lines format (core/qgraph/FORMAT.md) or a pipe_base graph written by 'pipetask qgraph --save-qgraph' (.qg, or old .qgraph)",
        { file },
      );
    }
    throw new BadInputError(`line ${lineNo}: bad JSON (${printable((e as Error).message)}); each line must be one JSON object`, {
      file,
    });
  }
}

async function openLines(path: string) {
  try {
    await access(path);
  } catch {
    throw new BadInputError('quantum-graph file not found or not readable', { file: path });
  }
  if (!(await stat(path)).isFile()) throw new BadInputError('is not a file (give the path of a tbps quantum-graph file)', { file: path });
  return createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
}

async function* lines(path: string): AsyncGenerator<string> {
  const rl = await openLines(path);
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}

/** Read and check only the header line. */
export async function readQGraphHeader(path: string): Promise<QGraphHeader> {
  for await (const line of lines(path)) return validateHeader(parseLine(line, path, 1), path);
  throw new BadInputError('line 1: header missing (the file is empty)', { file: path });
}

/**
 * A reader of another graph file format, registered by the layer that knows the format (core knows only its own):
 * lsst/qgFile registers pipe_base's `.qg`, so that transform reads such a file directly, without a tbps-format copy.
 */
export interface GraphFileReader {
  /** Says whether the file is in this reader's format, from its first bytes (at most 16). */
  recognizes(firstBytes: Buffer): boolean;
  read(path: string): Promise<CompactQuantumGraph>;
}

const graphFileReaders: GraphFileReader[] = [];

export function registerGraphFileReader(reader: GraphFileReader): void {
  if (!graphFileReaders.includes(reader)) graphFileReaders.push(reader);
}

async function registeredReaderFor(path: string): Promise<GraphFileReader | undefined> {
  if (graphFileReaders.length === 0) return undefined;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined; // the line reader reports a missing or unreadable file
  }
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    return graphFileReaders.find((r) => r.recognizes(head.subarray(0, bytesRead)));
  } finally {
    await handle.close();
  }
}

/** Stream a graph file into a compact in-memory graph (a registered reader's format is read by that reader). */
export async function readQuantumGraph(path: string): Promise<CompactQuantumGraph> {
  const foreign = await registeredReaderFor(path);
  if (foreign) return foreign.read(path);
  let lineNo = 0;
  let builder: QuantumGraphBuilder | undefined;
  let header: QGraphHeader | undefined;
  const rl = await openLines(path);
  try {
    for await (const line of rl) {
      lineNo++;
      const value = parseLine(line, path, lineNo);
      if (builder) {
        builder.add(value, lineNo);
        continue;
      }
      header = validateHeader(value, path);
      builder = new QuantumGraphBuilder(header, { file: path, firstLine: 2, unit: 'line' });
    }
  } finally {
    rl.close();
  }
  if (!builder || !header) throw new BadInputError('line 1: header missing (the file is empty)', { file: path });
  if (header.quanta !== undefined && header.quanta !== builder.count) {
    throw new BadInputError(
      `header says quanta=${header.quanta} but the file has ${builder.count} quantum lines (truncated or wrong count?)`,
      { file: path },
    );
  }
  return builder.finish();
}

/** Stream the quantum records of a file without building a graph (header first checked, records not validated). */
export async function* readQuantumRecords(path: string): AsyncGenerator<QuantumRecord> {
  let lineNo = 0;
  for await (const line of lines(path)) {
    lineNo++;
    const value = parseLine(line, path, lineNo);
    if (lineNo === 1) validateHeader(value, path);
    else yield value as QuantumRecord;
  }
}

/** Build a compact graph from records held in memory (tests, small tools). Same checks as the file reader. */
export function graphFromRecords(header: QGraphHeader, records: Iterable<QuantumRecord>): CompactQuantumGraph {
  const file = '<records>';
  const h = validateHeader(header, file, 'header');
  const builder = new QuantumGraphBuilder(h, { file, firstLine: 1, unit: 'record' });
  for (const r of records) builder.add(r);
  if (h.quanta !== undefined && h.quanta !== builder.count) {
    throw new BadInputError(`header says quanta=${h.quanta} but ${builder.count} records were given`, { file });
  }
  return builder.finish();
}
