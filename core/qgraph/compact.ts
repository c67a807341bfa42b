// Compact in-memory quantum graph: interned labels, CSR parent indices in typed arrays, data ids as per-shape key lists
// plus one flat numeric value array. Built incrementally (one record at a time) by QuantumGraphBuilder, which validates
// every record and reports problems as BadInputError with a line (or record) number; or at once from columns a
// reader of another format has already checked (graphFromColumns: no object per quantum on the way).

import { BadInputError } from '../errors.js';
import type { DataId, QGraphHeader, QuantumGraph, QuantumRecord } from './model.js';
import { Float64Vec, Int32Vec } from './vec.js';
import { validateHeader } from './header.js';

/** A data-id "shape": its keys in order and, per key, whether the value is a string (1) or a number (0). */
interface Shape {
  keys: string[];
  isString: Uint8Array;
}

export class CompactQuantumGraph implements QuantumGraph {
  private childOff?: Int32Array;
  private childIdx?: Int32Array;
  private byLabel?: Int32Array[];

  /** @internal use QuantumGraphBuilder */
  constructor(
    readonly header: QGraphHeader,
    readonly size: number,
    private readonly ids: string[],
    private idIndex: Map<string, number> | undefined,
    private readonly labelNames: string[],
    private readonly labelOf: Uint16Array,
    private readonly parentOff: Int32Array,
    private readonly parentIdx: Int32Array,
    private readonly shapes: Shape[],
    private readonly shapeOf: Uint16Array,
    private readonly valOff: Int32Array,
    private readonly values: Float64Array,
    private readonly strings: string[],
  ) {}

  id(i: number): string {
    return this.ids[i];
  }

  label(i: number): string {
    return this.labelNames[this.labelOf[i]];
  }

  /** Index of the quantum's label in header order (see labels()). */
  labelIndex(i: number): number {
    return this.labelOf[i];
  }

  dataId(i: number): DataId {
    const shape = this.shapes[this.shapeOf[i]];
    const off = this.valOff[i];
    const out: DataId = {};
    for (let k = 0; k < shape.keys.length; k++) {
      const v = this.values[off + k];
      out[shape.keys[k]] = shape.isString[k] ? this.strings[v] : v;
    }
    return out;
  }

  /** One data-id value without building the whole object; undefined when the quantum lacks the key. */
  dataIdValue(i: number, key: string): string | number | undefined {
    const shape = this.shapes[this.shapeOf[i]];
    const k = shape.keys.indexOf(key);
    if (k < 0) return undefined;
    const v = this.values[this.valOff[i] + k];
    return shape.isString[k] ? this.strings[v] : v;
  }

  parents(i: number): readonly number[] {
    return Array.from(this.parentIdx.subarray(this.parentOff[i], this.parentOff[i + 1]));
  }

  /** Parents as a typed-array view (no allocation of a JS array). */
  parentView(i: number): Int32Array {
    return this.parentIdx.subarray(this.parentOff[i], this.parentOff[i + 1]);
  }

  children(i: number): readonly number[] {
    this.buildChildren();
    return Array.from(this.childIdx!.subarray(this.childOff![i], this.childOff![i + 1]));
  }

  childView(i: number): Int32Array {
    this.buildChildren();
    return this.childIdx!.subarray(this.childOff![i], this.childOff![i + 1]);
  }

  indexOf(id: string): number | undefined {
    // Made on first use when the graph came from columns (graphFromColumns): transform never looks ids up.
    this.idIndex ??= new Map(this.ids.map((quantumId, i) => [quantumId, i]));
    return this.idIndex.get(id);
  }

  labels(): string[] {
    return this.labelNames.slice();
  }

  /** Quantum indices per label index (ascending, i.e. topological). */
  quantaByLabel(): Int32Array[] {
    if (!this.byLabel) {
      const counts = new Int32Array(this.labelNames.length);
      for (let i = 0; i < this.size; i++) counts[this.labelOf[i]]++;
      const out = Array.from(counts, (c) => new Int32Array(c));
      const fill = new Int32Array(this.labelNames.length);
      for (let i = 0; i < this.size; i++) {
        const l = this.labelOf[i];
        out[l][fill[l]++] = i;
      }
      this.byLabel = out;
    }
    return this.byLabel;
  }

  /** Number of parent edges in the graph. */
  edgeCount(): number {
    return this.parentIdx.length;
  }

  private buildChildren(): void {
    if (this.childOff) return;
    const n = this.size;
    const off = new Int32Array(n + 1);
    for (let e = 0; e < this.parentIdx.length; e++) off[this.parentIdx[e] + 1]++;
    for (let i = 0; i < n; i++) off[i + 1] += off[i];
    const fill = off.slice(0, n);
    const idx = new Int32Array(this.parentIdx.length);
    for (let c = 0; c < n; c++) {
      for (let e = this.parentOff[c]; e < this.parentOff[c + 1]; e++) idx[fill[this.parentIdx[e]]++] = c;
    }
    this.childOff = off;
    this.childIdx = idx;
  }
}

export interface BuilderOptions {
  /** File named in error messages. */
  file: string;
  /** Number of the first quantum's line (2 for a file whose line 1 is the header). */
  firstLine?: number;
  /** Word used in messages: "line" for files, "record" for in-memory input. */
  unit?: string;
}

/** Validates and appends quantum records one at a time; finish() returns the compact graph. */
export class QuantumGraphBuilder {
  private readonly ids: string[] = [];
  private readonly idIndex = new Map<string, number>();
  private readonly labelIndex = new Map<string, number>();
  private readonly labelNames: string[];
  private labelOf: Uint16Array;
  private shapeOf: Uint16Array;
  private valOff: Int32Array;
  private readonly parentOff = new Int32Vec();
  private readonly parentIdx = new Int32Vec();
  private readonly shapes: Shape[] = [];
  private readonly shapeIndex = new Map<string, number>();
  private readonly values = new Float64Vec();
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly file: string;
  private readonly firstLine: number;
  private readonly unit: string;
  private n = 0;

  constructor(
    private readonly header: QGraphHeader,
    opts: BuilderOptions,
  ) {
    this.file = opts.file;
    this.firstLine = opts.firstLine ?? 1;
    this.unit = opts.unit ?? 'record';
    this.labelNames = header.tasks.map((t) => t.label);
    if (this.labelNames.length > 65535) throw this.err(0, 'more than 65535 task labels', true);
    this.labelNames.forEach((l, i) => this.labelIndex.set(l, i));
    const cap = Math.max(1024, header.quanta ?? 0);
    this.labelOf = new Uint16Array(cap);
    this.shapeOf = new Uint16Array(cap);
    this.valOff = new Int32Array(cap);
    this.parentOff.grow(cap + 1);
    this.parentOff.push(0);
  }

  get count(): number {
    return this.n;
  }

  private err(line: number, problem: string, header = false): BadInputError {
    return new BadInputError(header ? `header: ${problem}` : `${this.unit} ${line}: ${problem}`, { file: this.file });
  }

  /** Validate one parsed quantum line (any JSON value) and append it. `line` is used in messages. */
  add(rec: unknown, line = this.firstLine + this.n): void {
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw this.err(line, 'expected a quantum object {"id","label","dataId","parents"}');
    }
    const r = rec as Partial<QuantumRecord>;
    const id = r.id;
    if (typeof id !== 'string' || id.length === 0) throw this.err(line, '"id" must be a non-empty string');
    const prev = this.idIndex.get(id);
    if (prev !== undefined) {
      throw this.err(line, `duplicate quantum id "${id}" (first on ${this.unit} ${this.firstLine + prev}); ids must be unique`);
    }
    const label = r.label;
    const li = typeof label === 'string' ? this.labelIndex.get(label) : undefined;
    if (li === undefined) {
      throw this.err(
        line,
        typeof label !== 'string'
          ? '"label" must be a string naming a task in the header'
          : `unknown task label "${label}"; the header declares: ${this.labelNames.join(', ')}`,
      );
    }
    const parents = r.parents;
    if (!Array.isArray(parents)) throw this.err(line, '"parents" must be an array of quantum ids (use [] for none)');
    const dataId = r.dataId;
    if (dataId === null || typeof dataId !== 'object' || Array.isArray(dataId)) {
      throw this.err(line, '"dataId" must be an object of dimension name -> string or number');
    }

    // Parents: resolve to indices of earlier quanta, dropping duplicates.
    const start = this.parentIdx.length;
    for (let k = 0; k < parents.length; k++) {
      const p = parents[k];
      if (typeof p !== 'string') throw this.err(line, `parents[${k}] must be a string id`);
      const pi = this.idIndex.get(p);
      if (pi === undefined) {
        throw this.err(
          line,
          p === id
            ? `quantum "${id}" lists itself as a parent`
            : `parent "${p}" has not been seen on an earlier ${this.unit} (parents must come before children)`,
        );
      }
      let dup = false;
      for (let e = start; e < this.parentIdx.length; e++) {
        if (this.parentIdx.data[e] === pi) {
          dup = true;
          break;
        }
      }
      if (!dup) this.parentIdx.push(pi);
    }

    // Data id: shape (keys + value kinds) interned, values appended to the flat array.
    const keys = Object.keys(dataId);
    let shapeKey = '';
    for (const key of keys) {
      const v = (dataId as Record<string, unknown>)[key];
      if (typeof v === 'string') shapeKey += key + '\u0001s';
      else if (typeof v === 'number' && Number.isFinite(v)) shapeKey += key + '\u0001n';
      else throw this.err(line, `dataId.${key} must be a string or a finite number (got ${JSON.stringify(v)})`);
      shapeKey += '\u0002';
    }
    let si = this.shapeIndex.get(shapeKey);
    if (si === undefined) {
      si = this.shapes.length;
      if (si > 65535) throw this.err(line, 'more than 65535 distinct data-id shapes');
      const isString = new Uint8Array(keys.length);
      keys.forEach((k, j) => (isString[j] = typeof (dataId as Record<string, unknown>)[k] === 'string' ? 1 : 0));
      this.shapes.push({ keys, isString });
      this.shapeIndex.set(shapeKey, si);
    }
    const i = this.n;
    if (i === this.labelOf.length) this.growPerQuantum();
    this.valOff[i] = this.values.length;
    for (const key of keys) {
      const v = (dataId as Record<string, string | number>)[key];
      if (typeof v === 'string') {
        let s = this.stringIndex.get(v);
        if (s === undefined) {
          s = this.strings.length;
          this.strings.push(v);
          this.stringIndex.set(v, s);
        }
        this.values.push(s);
      } else {
        this.values.push(v);
      }
    }
    this.labelOf[i] = li;
    this.shapeOf[i] = si;
    this.parentOff.push(this.parentIdx.length);
    this.ids.push(id);
    this.idIndex.set(id, i);
    this.n++;
  }

  private growPerQuantum(): void {
    const cap = this.labelOf.length * 2;
    const l = new Uint16Array(cap);
    l.set(this.labelOf);
    this.labelOf = l;
    const s = new Uint16Array(cap);
    s.set(this.shapeOf);
    this.shapeOf = s;
    const v = new Int32Array(cap);
    v.set(this.valOff);
    this.valOff = v;
  }

  finish(): CompactQuantumGraph {
    const n = this.n;
    return new CompactQuantumGraph(
      this.header,
      n,
      this.ids,
      this.idIndex,
      this.labelNames,
      this.labelOf.slice(0, n),
      this.parentOff.trimmed(),
      this.parentIdx.trimmed(),
      this.shapes,
      this.shapeOf.slice(0, n),
      this.valOff.slice(0, n),
      this.values.trimmed(),
      this.strings,
    );
  }
}

/**
 * A graph as columns, made and checked by the reader of another format (lsst/qgFile): quanta by position in a
 * topological order, parents as CSR over positions (each parent at an earlier position, no repeats), and each
 * quantum's data-id values in the order of its task's dimensions (header.tasks[label].dimensions).
 */
export interface GraphColumns {
  size: number;
  /** Quantum id at each position. */
  ids: string[];
  /** Index into header.tasks of each position's task. */
  labelOf: Uint16Array;
  parentOff: Int32Array;
  parentIdx: Int32Array;
  /** Data-id value k (of the task's dimensions) of the quantum at position p. */
  value(p: number, k: number): string | number;
}

/** The compact graph of checked columns (see GraphColumns): the same graph QuantumGraphBuilder makes of the records. */
export function graphFromColumns(given: QGraphHeader, columns: GraphColumns): CompactQuantumGraph {
  const header = validateHeader(given, String(given.metadata?.source ?? '<columns>'), 'header');
  const n = columns.size;
  if (header.quanta !== undefined && header.quanta !== n)
    throw new BadInputError(`header says quanta=${header.quanta} but ${n} quanta were given`, { file: String(header.metadata.source ?? '<columns>') });
  const labelNames = header.tasks.map((t) => t.label);
  const keysOf = header.tasks.map((t) => t.dimensions);
  const shapes: Shape[] = [];
  // A shape per task and pattern of value kinds (string or number), as the builder interns them by keys and kinds.
  const shapeIndex = new Map<string, number>();
  const shapeOf = new Uint16Array(n);
  const valOff = new Int32Array(n);
  let valueCount = 0;
  for (let p = 0; p < n; p++) valueCount += keysOf[columns.labelOf[p]].length;
  const values = new Float64Array(valueCount);
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  let at = 0;
  for (let p = 0; p < n; p++) {
    const label = columns.labelOf[p];
    const keys = keysOf[label];
    valOff[p] = at;
    let kinds = '';
    for (let k = 0; k < keys.length; k++) {
      const v = columns.value(p, k);
      if (typeof v === 'string') {
        kinds += 's';
        let s = stringIndex.get(v);
        if (s === undefined) {
          s = strings.push(v) - 1;
          stringIndex.set(v, s);
        }
        values[at++] = s;
      } else {
        kinds += 'n';
        values[at++] = v;
      }
    }
    const shapeKey = `${label}:${kinds}`;
    let si = shapeIndex.get(shapeKey);
    if (si === undefined) {
      si = shapes.length;
      if (si > 65535) throw new BadInputError('more than 65535 distinct data-id shapes', { file: String(header.metadata.source ?? '<columns>') });
      const isString = new Uint8Array(keys.length);
      for (let k = 0; k < keys.length; k++) isString[k] = kinds[k] === 's' ? 1 : 0;
      shapes.push({ keys, isString });
      shapeIndex.set(shapeKey, si);
    }
    shapeOf[p] = si;
  }
  const parentOff = columns.parentOff.length === n + 1 ? columns.parentOff : columns.parentOff.slice(0, n + 1);
  return new CompactQuantumGraph(header, n, columns.ids, undefined, labelNames, columns.labelOf, parentOff, columns.parentIdx, shapes, shapeOf, valOff, values, strings);
}
