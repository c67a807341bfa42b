// Telling a given qgraphFile's format by content (core/qgraph/graphFile.ts) without the LSST stack: pipe_base's .qg
// zip archives (their central directory read, ZIP64 end records included), old .qgraph magic bytes, tbps JSON Lines;
// and the one-line refusals of a file named like a pipe_base graph that is not one, a damaged archive, a zip of
// something else, a missing file. The archives are written here byte by byte (stored members, as pipe_base writes
// them); tests/integration/lsst.givenGraph.test.ts uses real ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireGraph } from '../../core/qgraph/acquire.js';
import { checkGraphFile, graphFileFormat, PIPE_BASE_QG_MEMBERS } from '../../core/qgraph/graphFile.js';
import { preflight, preflightGraph } from '../../core/submit/config.js';
import { configFromYaml, tmpDir } from '../fixtures/transform/config.js';
import { badInput } from '../helpers/badInput.js';

/** A zip archive of stored members (CRCs left 0: nothing here reads member data), optionally with ZIP64 end records. */
function zipArchive(members: Record<string, string>, opts: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(members)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const count = Object.keys(members).length;
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const zip64 = Buffer.alloc(56);
    zip64.writeUInt32LE(0x06064b50, 0);
    zip64.writeBigUInt64LE(44n, 4);
    zip64.writeBigUInt64LE(BigInt(count), 24);
    zip64.writeBigUInt64LE(BigInt(count), 32);
    zip64.writeBigUInt64LE(BigInt(directory.length), 40);
    zip64.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(zip64, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.zip64 ? 0xffff : count, 8);
  end.writeUInt16LE(opts.zip64 ? 0xffff : count, 10);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, directory, ...tail, end]);
}

const GRAPH_MEMBERS = { 'header.json.zst': 'h', 'pipeline_graph.json.zst': 'p', 'thin_graph.json.zst': 't', 'quanta.addr': 'a' };
const OLD_MAGIC = Buffer.from([0x71, 0x67, 0x72, 0x61, 0x70, 0x68, 0x34, 0xf6, 0xe8, 0xa9, 0, 3]);
const TBPS_GRAPH = '{"format":"tbps-qgraph","version":1,"metadata":{},"tasks":[{"label":"a","dimensions":[]}],"quanta":1}\n{"id":"q1","label":"a","dataId":{},"parents":[]}\n';

describe('the format of a given qgraphFile', () => {
  it('tells a pipe_base .qg archive by content and lists its members, also with ZIP64 end records and another name', () => {
    const dir = tmpDir();
    const qg = path.join(dir, 'graph.qg');
    writeFileSync(qg, zipArchive(GRAPH_MEMBERS));
    expect(checkGraphFile(qg)).toEqual({ format: 'pipe-base-qg', members: Object.keys(GRAPH_MEMBERS) });
    const zip64 = path.join(dir, 'graph64.qg');
    writeFileSync(zip64, zipArchive(GRAPH_MEMBERS, { zip64: true }));
    expect(checkGraphFile(zip64).members).toEqual(Object.keys(GRAPH_MEMBERS));
    const renamed = path.join(dir, 'graph.bin');
    writeFileSync(renamed, zipArchive(GRAPH_MEMBERS));
    expect(graphFileFormat(renamed)).toBe('pipe-base-qg');
    expect(PIPE_BASE_QG_MEMBERS.every((m) => m in GRAPH_MEMBERS)).toBe(true);
  });

  it('tells an old-format .qgraph by its magic bytes and tbps JSON Lines by the absence of both', () => {
    const dir = tmpDir();
    const old = path.join(dir, 'graph.qgraph');
    writeFileSync(old, Buffer.concat([OLD_MAGIC, Buffer.alloc(100)]));
    expect(graphFileFormat(old)).toBe('pipe-base-qgraph');
    const tbps = path.join(dir, 'graph.jsonl');
    writeFileSync(tbps, TBPS_GRAPH);
    expect(graphFileFormat(tbps)).toBe('tbps-qgraph');
  });

  it('refuses, in one line naming qgraphFile, what is named or built like a pipe_base graph but is not one', () => {
    const dir = tmpDir();
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['text.qg', 'this is not a graph\n', /text\.qg' is not a pipe_base quantum graph \(a \.qg is a zip archive/],
      ['tbps.qg', TBPS_GRAPH, /is not a pipe_base quantum graph/],
      ['text.qgraph', 'hello\n', /text\.qgraph' is not a pipe_base quantum graph \(an old-format \.qgraph starts/],
      ['other.qg', zipArchive({ 'README.txt': 'x', 'data.csv': 'y' }), /other\.qg' is a zip archive but not a pipe_base quantum graph \(it has no header\.json\.zst, pipeline_graph\.json\.zst\)/],
      ['cut.qg', zipArchive(GRAPH_MEMBERS).subarray(0, 60), /cut\.qg' is a damaged or truncated zip archive \(no end-of-central-directory record\)/],
      ['old.bin', Buffer.concat([OLD_MAGIC, Buffer.alloc(10)]), /old\.bin' is a pipe_base graph in the old format, which pipe_base reads only from files named '\*\.qgraph'/],
    ];
    for (const [name, content, says] of cases) {
      writeFileSync(path.join(dir, name), content);
      const err = badInput(() => checkGraphFile(path.join(dir, name), { file: 'submit.yaml', key: 'qgraphFile' }));
      expect(err.message, name).toMatch(says);
      expect(err.message, name).toMatch(/^submit\.yaml: key 'qgraphFile': quantum graph file '/);
      expect(err.message, name).not.toContain('\n');
    }
    // A damaged central directory: the end record points past the end of the file.
    const bad = zipArchive(GRAPH_MEMBERS);
    bad.writeUInt32LE(bad.length + 100, bad.length - 6);
    writeFileSync(path.join(dir, 'pointer.qg'), bad);
    expect(badInput(() => checkGraphFile(path.join(dir, 'pointer.qg'))).message).toMatch(/the central directory lies beyond the end of the file/);
    expect(badInput(() => checkGraphFile(path.join(dir, 'missing.qg'))).message).toMatch(/key 'qgraphFile': quantum graph file '.*missing\.qg' does not exist$/);
    mkdirSync(path.join(dir, 'adir.qg'));
    expect(badInput(() => checkGraphFile(path.join(dir, 'adir.qg'))).message).toMatch(/adir\.qg' is not a file$/);
  });

  it('is checked by preflight; preflightGraph and acquireGraph leave a pipe_base graph to the LSST bridge', async () => {
    const dir = tmpDir();
    const qg = path.join(dir, 'given.qg');
    writeFileSync(qg, zipArchive(GRAPH_MEMBERS));
    const config = configFromYaml(`qgraphFile: ${qg}\n`);
    expect(() => preflight(config, 'submit.yaml')).not.toThrow();
    await expect(preflightGraph(config)).resolves.toBeUndefined();
    await expect(acquireGraph(config, path.join(dir, 'submit'), 'run1')).resolves.toBeUndefined();
    const notGraph = path.join(dir, 'notgraph.qg');
    writeFileSync(notGraph, zipArchive({ 'a.txt': 'x' }));
    expect(badInput(() => preflight(configFromYaml(`qgraphFile: ${notGraph}\n`), 'submit.yaml')).message).toMatch(
      /^submit\.yaml: key 'qgraphFile': quantum graph file '.*notgraph\.qg' is a zip archive but not a pipe_base quantum graph/,
    );
    const tbps = path.join(dir, 'graph.jsonl');
    writeFileSync(tbps, TBPS_GRAPH);
    await expect(acquireGraph(configFromYaml(`qgraphFile: ${tbps}\n`), path.join(dir, 'submit'), 'run1')).resolves.toMatchObject({ qgraphFile: tbps, quanta: 1, source: 'file' });
  });
});
