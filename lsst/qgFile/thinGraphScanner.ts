// A lean scanner of the `thin_graph` JSON block of a `.qg`: walks the bytes once and keeps only what tbps needs,
// instead of JSON.parse building an object per quantum and an array and two strings per edge (over 100 MB for 100k
// quanta). Quantum ids are kept as strings (they are written out) and as 128-bit keys in an open-addressing table;
// an edge's two UUIDs are decoded from their hex digits and looked up without making strings. Of a data coordinate
// only the values the caller keeps (the required dimensions) are decoded, into one flat array; the others are only
// counted. Keys other than `quanta` and `edges` (and, per quantum, `quantum_id` and `data_coordinate`) are skipped,
// so added fields do not break it.
import type { DataIdValue } from '../../core/qgraph/index.js';

export class ThinGraphSyntaxError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/** Quanta and edges of a thin graph, with ids as indices in file order. */
export interface ScannedThinGraph {
  count: number;
  ids: string[];
  /** Index of the quantum's label in `labels`. */
  labelOf: Uint16Array;
  labels: string[];
  /** The kept data coordinate values of quantum q: values[valueStart[q] .. valueStart[q + 1]). */
  values: DataIdValue[];
  valueStart: Int32Array;
  /** Number of values in each quantum's data coordinate (kept or not). */
  coordinateLength: Uint8Array;
  edgeCount: number;
  /** Edge e runs from quantum edgeFrom[e] to quantum edgeTo[e]. */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
}

/** `keep(label)`: how many leading values of a data coordinate to decode for quanta of that label. */
export function scanThinGraph(bytes: Buffer, keep: (label: string) => number, expectedQuanta = 0): ScannedThinGraph {
  let at = 0;
  const end = bytes.length;
  const fail = (what: string): never => {
    throw new ThinGraphSyntaxError(`${what} at byte ${at}`);
  };
  const space = () => {
    while (at < end) {
      const c = bytes[at];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else break;
    }
  };
  const expect = (byte: number) => {
    space();
    if (bytes[at] !== byte) fail(`expected '${String.fromCharCode(byte)}'`);
    at++;
  };
  /** After a member or element: true when another follows (a comma was eaten), false at the closing byte. */
  const more = (close: number): boolean => {
    space();
    if (bytes[at] === 0x2c) {
      at++;
      return true;
    }
    if (bytes[at] === close) {
      at++;
      return false;
    }
    return fail(`expected ',' or '${String.fromCharCode(close)}'`);
  };
  const opened = (open: number, close: number): boolean => {
    expect(open);
    space();
    if (bytes[at] === close) {
      at++;
      return false;
    }
    return true;
  };
  const string = (): string => {
    expect(QUOTE);
    const start = at;
    let escaped = false;
    while (at < end && bytes[at] !== QUOTE) {
      if (bytes[at] === BACKSLASH) {
        escaped = true;
        at++;
      }
      at++;
    }
    if (at >= end) fail('unterminated string');
    at++;
    return escaped ? (JSON.parse(bytes.toString('utf8', start - 1, at)) as string) : bytes.toString('utf8', start, at - 1);
  };
  const scalar = (): DataIdValue => {
    space();
    if (bytes[at] === QUOTE) return string();
    const start = at;
    while (at < end && bytes[at] !== 0x2c && bytes[at] !== 0x5d && bytes[at] !== 0x7d && bytes[at] > 0x20) at++;
    const text = bytes.toString('latin1', start, at);
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) fail(`a data coordinate value that is not a number or string (${text.slice(0, 20)})`);
    return value;
  };
  const skipValue = (): void => {
    space();
    const c = bytes[at];
    if (c === QUOTE) {
      string();
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      if (!opened(c, close)) return;
      do {
        if (c === 0x7b) {
          string();
          expect(0x3a);
        }
        skipValue();
      } while (more(close));
    } else {
      while (at < end && bytes[at] !== 0x2c && bytes[at] !== 0x5d && bytes[at] !== 0x7d && bytes[at] > 0x20) at++;
    }
  };

  // ---- quantum ids: strings, plus 128-bit keys in an open-addressing hash table
  let capacity = Math.max(1024, expectedQuanta);
  let words = new Uint32Array(capacity * 4);
  let labelOf = new Uint16Array(capacity);
  let valueStart = new Int32Array(capacity + 1);
  let coordinateLength = new Uint8Array(capacity);
  const ids: string[] = [];
  const values: DataIdValue[] = [];
  const labels: string[] = [];
  const keepOf: number[] = [];
  let table = new Int32Array(1);
  let mask = 0;
  const hash = (w0: number, w1: number, w2: number, w3: number) => {
    let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b) ^ w1;
    h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ w2;
    h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) ^ w3;
    return (h ^ (h >>> 16)) >>> 0;
  };
  const key = [0, 0, 0, 0];
  /** Decodes the UUID string starting at `start` (36 bytes) into `key`; false when it is not one. */
  const decodeUuid = (start: number): boolean => {
    let word = 0;
    let digits = 0;
    for (let i = 0; i < 36; i++) {
      const b = bytes[start + i];
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (b !== 0x2d) return false;
        continue;
      }
      const v = hexValue(b);
      if (v < 0) return false;
      word = ((word << 4) | v) >>> 0;
      if (++digits % 8 === 0) {
        key[digits / 8 - 1] = word;
        word = 0;
      }
    }
    return true;
  };
  const find = (): number => {
    for (let slot = hash(key[0], key[1], key[2], key[3]) & mask; ; slot = (slot + 1) & mask) {
      const q = table[slot];
      if (q < 0) return -1 - slot;
      const w = q * 4;
      if (words[w] === key[0] && words[w + 1] === key[1] && words[w + 2] === key[2] && words[w + 3] === key[3]) return q;
    }
  };
  const buildTable = (n: number) => {
    let size = 1;
    while (size < n * 2) size <<= 1;
    table = new Int32Array(size).fill(-1);
    mask = size - 1;
    for (let q = 0; q < n; q++) {
      key[0] = words[q * 4];
      key[1] = words[q * 4 + 1];
      key[2] = words[q * 4 + 2];
      key[3] = words[q * 4 + 3];
      const slot = find();
      if (slot >= 0) fail(`quantum ${ids[q]} appears twice`);
      table[-1 - slot] = q;
    }
  };

  const quantum = (label: number) => {
    if (!opened(0x7b, 0x7d)) fail('a quantum without quantum_id');
    let id: string | undefined;
    const first = values.length;
    let length = -1;
    do {
      const name = string();
      expect(0x3a);
      if (name === 'quantum_id') {
        space();
        const start = at + 1;
        id = string();
        if (id.length !== 36 || !decodeUuid(start)) fail(`quantum_id ${JSON.stringify(id)} is not a UUID`);
      } else if (name === 'data_coordinate') {
        if (length >= 0) fail('a quantum with two data coordinates');
        length = 0;
        if (opened(0x5b, 0x5d)) {
          do {
            if (length < keepOf[label]) values.push(scalar());
            else skipValue();
            length++;
          } while (more(0x5d));
        }
        if (length > 255) fail('a data coordinate of more than 255 values');
      } else {
        skipValue();
      }
    } while (more(0x7d));
    if (id === undefined) fail('a quantum without quantum_id');
    const n = ids.length;
    if (n === capacity) {
      capacity *= 2;
      const w = new Uint32Array(capacity * 4);
      w.set(words);
      words = w;
      const l = new Uint16Array(capacity);
      l.set(labelOf);
      labelOf = l;
      const v = new Int32Array(capacity + 1);
      v.set(valueStart);
      valueStart = v;
      const c = new Uint8Array(capacity);
      c.set(coordinateLength);
      coordinateLength = c;
    }
    words.set(key, n * 4);
    labelOf[n] = label;
    valueStart[n] = first;
    valueStart[n + 1] = values.length;
    coordinateLength[n] = Math.max(length, 0);
    ids.push(id!);
  };

  // ---- edges: pairs of quantum indices
  let edgeFrom = new Int32Array(Math.max(1024, expectedQuanta * 2));
  let edgeTo = new Int32Array(edgeFrom.length);
  let edgeCount = 0;
  let tableBuilt = false;
  const edgeEnd = (): number => {
    space();
    if (bytes[at] !== QUOTE || bytes[at + 37] !== QUOTE || !decodeUuid(at + 1)) fail('an edge end that is not a quoted UUID');
    at += 38;
    const q = find();
    if (q < 0) fail(`edge ${edgeCount} names a quantum that is not in the graph`);
    return q;
  };
  const edges = () => {
    if (!tableBuilt) {
      buildTable(ids.length);
      tableBuilt = true;
    }
    if (!opened(0x5b, 0x5d)) return;
    do {
      expect(0x5b);
      const from = edgeEnd();
      expect(0x2c);
      const to = edgeEnd();
      expect(0x5d);
      if (edgeCount === edgeFrom.length) {
        const f = new Int32Array(edgeCount * 2);
        f.set(edgeFrom);
        edgeFrom = f;
        const t = new Int32Array(edgeCount * 2);
        t.set(edgeTo);
        edgeTo = t;
      }
      edgeFrom[edgeCount] = from;
      edgeTo[edgeCount] = to;
      edgeCount++;
    } while (more(0x5d));
  };

  let sawQuanta = false;
  let pendingEdges: [number, number] | undefined;
  if (!opened(0x7b, 0x7d)) fail('an empty thin graph');
  do {
    const name = string();
    expect(0x3a);
    if (name === 'quanta') {
      sawQuanta = true;
      if (opened(0x7b, 0x7d)) {
        do {
          const label = string();
          expect(0x3a);
          let index = labels.indexOf(label);
          if (index < 0) {
            index = labels.push(label) - 1;
            keepOf.push(keep(label));
          }
          if (opened(0x5b, 0x5d)) do quantum(index); while (more(0x5d));
        } while (more(0x7d));
      }
    } else if (name === 'edges') {
      // edges before quanta (not what pipe_base writes): come back to them once the quanta are known
      if (!sawQuanta) {
        const start = at;
        skipValue();
        pendingEdges = [start, at];
      } else {
        edges();
      }
    } else {
      skipValue();
    }
  } while (more(0x7d));
  if (!sawQuanta) fail('no quanta');
  if (pendingEdges) {
    const resume = at;
    at = pendingEdges[0];
    edges();
    at = resume;
  }
  if (!tableBuilt) buildTable(ids.length);
  return { count: ids.length, ids, labelOf, labels, values, valueStart, coordinateLength, edgeCount, edgeFrom, edgeTo };
}
