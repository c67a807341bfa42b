// Streaming writer of the tbps-qgraph JSON Lines format: header line, then one record per line, with backpressure.

import { BadInputError } from '../errors.js';
import { LineWriter } from './linewriter.js';
import type { QGraphHeader, QuantumRecord } from './model.js';

/**
 * Write a graph file. Records must already be in topological order (parents first); this writer does not check
 * that (the reader does). If header.quanta is set, the number of records written must match it.
 */
export async function writeQuantumGraph(
  path: string,
  header: QGraphHeader,
  records: Iterable<QuantumRecord> | AsyncIterable<QuantumRecord>,
  /** When given, the file must stay under this directory (a run's submit directory). */
  root?: string,
): Promise<{ quanta: number; bytes: number }> {
  const out = new LineWriter(path, undefined, root);
  let n = 0;
  try {
    await out.write(JSON.stringify(header));
    const line = (r: QuantumRecord) => JSON.stringify({ id: r.id, label: r.label, dataId: r.dataId, parents: r.parents });
    if (Symbol.iterator in records) {
      for (const r of records) {
        const p = out.write(line(r));
        if (p) await p;
        n++;
      }
    } else {
      for await (const r of records) {
        const p = out.write(line(r));
        if (p) await p;
        n++;
      }
    }
    await out.close();
  } catch (e) {
    out.abort();
    throw e;
  }
  if (header.quanta !== undefined && header.quanta !== n) {
    throw new BadInputError(`header says quanta=${header.quanta} but ${n} records were written`, { file: path });
  }
  return { quanta: n, bytes: out.bytes };
}
