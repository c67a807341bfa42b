// Which kind of quantum-graph file a `qgraphFile` is, from its content (and its name when the content is not a graph):
// tbps's own JSON Lines (FORMAT.md), pipe_base's `.qg` (a zip archive whose members include `header.json.zst` and
// `pipeline_graph.json.zst`) or pipe_base's old `.qgraph` (a binary file with its own magic bytes). A `.qg` is checked
// structurally here, without the LSST stack: a zip whose central directory can be read and lists the members every
// pipe_base graph has. Pure file reading: no spawning, no decompression.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors.js';

export type GraphFileFormat = 'tbps-qgraph' | 'pipe-base-qg' | 'pipe-base-qgraph';

/** The members every pipe_base `.qg` archive has (written first by pipe_base's graph writer). */
export const PIPE_BASE_QG_MEMBERS = ['header.json.zst', 'pipeline_graph.json.zst'];

const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** pipe_base's old `.qgraph` files start with these bytes. */
const OLD_QGRAPH_MAGIC = Buffer.from([0x71, 0x67, 0x72, 0x61, 0x70, 0x68, 0x34, 0xf6, 0xe8, 0xa9]);
const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50;
const EOCD_SIZE = 22;
/** The end record sits within the last 22 bytes plus a comment of at most 65,535 bytes. */
const EOCD_SEARCH = EOCD_SIZE + 0xffff;
/** A pipe_base graph lists a handful of members; a central directory beyond this is not one. */
const MAX_CENTRAL_DIRECTORY = 1 << 20;

export interface GraphFileCheck {
  format: GraphFileFormat;
  /** Member names of a `.qg` archive (empty for the other formats). */
  members: string[];
}

interface Where {
  /** The submit YAML (or "command line") the key came from. */
  file?: string;
  key?: string;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** The format of a graph file by content; a name ending in .qg/.qgraph whose content is not pipe_base's is refused. */
export function graphFileFormat(graphFile: string, where: Where = { key: 'qgraphFile' }): GraphFileFormat {
  return checkGraphFile(graphFile, where).format;
}

/**
 * Reads the start of `graphFile` (and, for a zip, its central directory) and says which format it is. A file that
 * is missing or unreadable, a `.qg`/`.qgraph` that is not a pipe_base graph, or a damaged archive is a
 * BadInputError naming `where` (the key, qgraphFile by default). A tbps JSON Lines file is not read further here.
 */
export function checkGraphFile(graphFile: string, where: Where = { key: 'qgraphFile' }): GraphFileCheck {
  const fail = (problem: string): never => {
    throw new BadInputError(`quantum graph file '${graphFile}' ${problem}`, where);
  };
  let fd: number;
  try {
    fd = openSync(graphFile, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return fail('is not a file');
    const head = readAt(fd, 0, Math.min(stat.size, 64));
    if (head.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) {
      const members = zipMembers(fd, stat.size, fail);
      const missing = PIPE_BASE_QG_MEMBERS.filter((m) => !members.includes(m));
      if (missing.length > 0)
        fail(`is a zip archive but not a pipe_base quantum graph (it has no ${missing.join(', ')}); give a .qg written by 'pipetask qgraph --save-qgraph'`);
      return { format: 'pipe-base-qg', members };
    }
    if (head.subarray(0, OLD_QGRAPH_MAGIC.length).equals(OLD_QGRAPH_MAGIC)) {
      if (path.extname(graphFile) !== '.qgraph')
        fail("is a pipe_base graph in the old format, which pipe_base reads only from files named '*.qgraph'; rename it");
      return { format: 'pipe-base-qgraph', members: [] };
    }
    const ext = path.extname(graphFile);
    if (ext === '.qg') fail("is not a pipe_base quantum graph (a .qg is a zip archive written by 'pipetask qgraph --save-qgraph')");
    if (ext === '.qgraph') fail("is not a pipe_base quantum graph (an old-format .qgraph starts with the bytes 'qgraph4')");
    return { format: 'tbps-qgraph', members: [] };
  } finally {
    closeSync(fd);
  }
}

/** Member names from the zip's central directory (ZIP64 end records included). */
function zipMembers(fd: number, size: number, fail: (problem: string) => never): string[] {
  const damaged = (what: string) => fail(`is a damaged or truncated zip archive (${what}); make the graph again with 'pipetask qgraph --save-qgraph'`);
  const tailStart = Math.max(0, size - EOCD_SEARCH);
  const tail = readAt(fd, tailStart, size - tailStart);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return damaged('no end-of-central-directory record');
  let entries = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) return damaged('no ZIP64 locator');
    const zip64At = Number(tail.readBigUInt64LE(locator + 8));
    const zip64 = readAt(fd, zip64At, 56);
    if (zip64.length < 56 || zip64.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) return damaged('no ZIP64 end record');
    entries = Number(zip64.readBigUInt64LE(32));
    directorySize = Number(zip64.readBigUInt64LE(40));
    directoryOffset = Number(zip64.readBigUInt64LE(48));
  }
  if (directorySize > MAX_CENTRAL_DIRECTORY) return damaged(`a central directory of ${directorySize} bytes`);
  if (directoryOffset + directorySize > size) return damaged('the central directory lies beyond the end of the file');
  const directory = readAt(fd, directoryOffset, directorySize);
  const names: string[] = [];
  let at = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_ENTRY_SIGNATURE) return damaged(`central directory entry ${n + 1} is unreadable`);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    if (at + 46 + nameLength > directory.length) return damaged(`central directory entry ${n + 1} is cut short`);
    names.push(directory.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
