// Tests of the tbps-qgraph JSON Lines format: streaming write/read round trip and reader errors with line numbers.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBadInput } from '../../core/errors.js';
import {
  graphFromRecords,
  readQGraphHeader,
  readQuantumGraph,
  syntheticGraph,
  writeQuantumGraph,
  type QuantumRecord,
} from '../../core/qgraph/index.js';
import { header, tmpDir } from '../fixtures/transform/config.js';

const TASKS = [
  { label: 'a', dimensions: ['instrument', 'visit'] },
  { label: 'b', dimensions: ['instrument', 'visit', 'band'] },
];
const RECS: QuantumRecord[] = [
  { id: 'q1', label: 'a', dataId: { instrument: 'HSC', visit: 1 }, parents: [] },
  { id: 'q2', label: 'a', dataId: { instrument: 'HSC', visit: 2 }, parents: [] },
  { id: 'q3', label: 'b', dataId: { instrument: 'HSC', visit: 1, band: 'r' }, parents: ['q1', 'q2'] },
  { id: 'q4', label: 'b', dataId: { band: 'g', visit: 2.5, instrument: 'LSSTCam' }, parents: ['q3', 'q3'] },
];

function lines(...ls: unknown[]): string {
  return ls.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
}

async function readError(content: string): Promise<Error> {
  const file = path.join(tmpDir(), 'bad.qg.jsonl');
  writeFileSync(file, content);
  try {
    await readQuantumGraph(file);
  } catch (e) {
    expect(isBadInput(e)).toBe(true);
    expect((e as Error).message).toContain(file);
    return e as Error;
  }
  throw new Error('expected a BadInputError');
}

describe('qgraph format', () => {
  it('round-trips header and records through a file', async () => {
    const file = path.join(tmpDir(), 'g.qg.jsonl');
    const res = await writeQuantumGraph(file, header(TASKS, 4), RECS);
    expect(res.quanta).toBe(4);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')).toHaveLength(6); // header + 4 + trailing newline
    expect(await readQGraphHeader(file)).toMatchObject({ format: 'tbps-qgraph', version: 1, quanta: 4 });
    const g = await readQuantumGraph(file);
    expect(g.size).toBe(4);
    expect(g.labels()).toEqual(['a', 'b']);
    for (let i = 0; i < 4; i++) {
      expect(g.id(i)).toBe(RECS[i].id);
      expect(g.label(i)).toBe(RECS[i].label);
      expect(g.dataId(i)).toEqual(RECS[i].dataId);
      expect(g.indexOf(RECS[i].id)).toBe(i);
    }
    expect(g.parents(2)).toEqual([0, 1]);
    expect(g.parents(3)).toEqual([2]); // duplicate parent dropped
    expect(g.children(0)).toEqual([2]);
    expect(g.children(2)).toEqual([3]);
    expect(g.children(3)).toEqual([]);
    expect(g.indexOf('nope')).toBeUndefined();
    expect(g.dataIdValue(3, 'band')).toBe('g');
  });

  it('accepts async iterables, no trailing newline and CRLF line ends', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'g.qg.jsonl');
    async function* gen() {
      for (const r of RECS) yield r;
    }
    await writeQuantumGraph(file, header(TASKS), gen());
    const text = readFileSync(file, 'utf8');
    const crlf = path.join(dir, 'crlf.qg.jsonl');
    writeFileSync(crlf, text.trimEnd().split('\n').join('\r\n'));
    const g = await readQuantumGraph(crlf);
    expect(g.size).toBe(4);
    expect(g.dataId(3)).toEqual(RECS[3].dataId);
  });

  it('streams a synthetic graph through write and read', async () => {
    const file = path.join(tmpDir(), 's.qg.jsonl');
    const { header: h, records } = syntheticGraph({ visits: 3, detectors: 2, tracts: 1, patchesPerTract: 2, bands: 2, visitsPerPatch: 3 });
    await writeQuantumGraph(file, h, records);
    const g = await readQuantumGraph(file);
    expect(g.size).toBe(h.quanta);
    const all = [...records];
    expect(g.id(g.size - 1)).toBe(all[all.length - 1].id);
  });

  it('reports a missing or wrong header', async () => {
    expect((await readError('')).message).toMatch(/line 1: header missing/);
    expect((await readError(lines({ format: 'other', version: 1 }))).message).toMatch(/line 1: header: format must be "tbps-qgraph"/);
    expect((await readError(lines({ ...header(TASKS), version: 2 }))).message).toMatch(/version must be 1/);
    expect((await readError(lines({ format: 'tbps-qgraph', version: 1, metadata: {} }))).message).toMatch(/line 1: header: tasks/);
    expect((await readError(lines('{not json'))).message).toMatch(/line 1: bad JSON/);
  });

  it('reports bad quantum lines with their line numbers', async () => {
    const h = header(TASKS);
    const [r1, r2, r3] = RECS;
    expect((await readError(lines(h, r1, '{"id": "x",'))).message).toMatch(/line 3: bad JSON/);
    expect((await readError(lines(h, r1, { ...r2, label: 'zz' }))).message).toMatch(/line 3: unknown task label "zz"; the header declares: a, b/);
    expect((await readError(lines(h, r1, { ...r3, parents: ['q1', 'q9'] }))).message).toMatch(/line 3: parent "q9" has not been seen/);
    expect((await readError(lines(h, r1, r2, { ...r3, id: 'q1' }))).message).toMatch(/line 4: duplicate quantum id "q1" \(first on line 2\)/);
    expect((await readError(lines(h, r1, '', r2))).message).toMatch(/line 3: blank line/);
    expect((await readError(lines(h, r1, r2) + '\n\n')).message).toMatch(/line 4: blank line/);
    expect((await readError(lines(h, { ...r1, dataId: { visit: [1] } }))).message).toMatch(/line 2: dataId.visit must be a string or a finite number/);
    expect((await readError(lines(h, { ...r1, parents: 'q0' }))).message).toMatch(/line 2: "parents" must be an array/);
    expect((await readError(lines(h, { ...r1, id: '' }))).message).toMatch(/line 2: "id" must be a non-empty string/);
    expect((await readError(lines(h, { ...r1, parents: ['q1'] }))).message).toMatch(/lists itself as a parent/);
    expect((await readError(lines(h, [1, 2]))).message).toMatch(/line 2: expected a quantum object/);
  });

  it('checks the quanta count of the header', async () => {
    const err = await readError(lines(header(TASKS, 3), RECS[0], RECS[1]));
    expect(err.message).toMatch(/header says quanta=3 but the file has 2 quantum lines/);
  });

  it('reports a missing file as bad input', async () => {
    await expect(readQuantumGraph('/nonexistent/graph.jsonl')).rejects.toThrow(/not found/);
  });

  it('graphFromRecords applies the same checks', () => {
    expect(graphFromRecords(header(TASKS), RECS).size).toBe(4);
    expect(() => graphFromRecords(header(TASKS), [RECS[2]])).toThrow(/record 1: parent "q1" has not been seen/);
    expect(() => graphFromRecords(header(TASKS, 5), RECS)).toThrow(/header says quanta=5 but 4 records were given/);
  });

  it('writer refuses a record count that contradicts the header', async () => {
    const file = path.join(tmpDir(), 'w.qg.jsonl');
    await expect(writeQuantumGraph(file, header(TASKS, 2), RECS)).rejects.toThrow(/header says quanta=2 but 4 records were written/);
  });
});
