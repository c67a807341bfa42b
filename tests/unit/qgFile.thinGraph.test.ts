// The thin-graph part of the .qg reader (lsst/qgFile) on hand-made blocks: the byte scanner against JSON.parse of the
// same text (whitespace, extra keys, escapes, edges before quanta), the order and parents of the records, and the
// problems it reports. The whole reader against real pipe_base graphs: tests/integration/lsst.qgFile.test.ts.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../core/errors.js';
import { taskDimensions } from '../../lsst/qgFile/taskDimensions.js';
import { thinGraphRecords } from '../../lsst/qgFile/thinGraph.js';
import { scanThinGraph } from '../../lsst/qgFile/thinGraphScanner.js';

const U = (n: number) => `01a23acd-b36a-7fbf-9ff6-${n.toString(16).padStart(12, '0')}`;

/** A serialized pipeline graph with two tasks: isr (instrument, detector, exposure + implied) then calibrate. */
const PIPELINE_GRAPH = {
  tasks: {
    calibrate: { task_class: 'x.Calibrate', dimensions: ['band', 'detector', 'instrument', 'visit'], index: 20, metadata_output: { dataset_type_name: 'calibrate_metadata' } },
    isr: { task_class: 'x.Isr', dimensions: ['band', 'detector', 'exposure', 'instrument'], index: 10, metadata_output: { dataset_type_name: 'isr_metadata' } },
  },
  dataset_types: {
    isr_metadata: { dimensions: ['band', 'instrument', 'detector', 'exposure'] },
    calibrate_metadata: { dimensions: ['band', 'instrument', 'detector', 'visit'] },
  },
  dimensions: { elements: { exposure: { implies: ['band'] }, visit: { implies: ['band'] }, detector: {}, instrument: {}, band: {} } },
};
const tasks = taskDimensions(PIPELINE_GRAPH, 'g.qg');

const THIN = {
  quanta: {
    calibrate: [{ quantum_id: U(3), data_coordinate: ['HSC', 5, 903334, 'r'] }],
    isr: [
      { quantum_id: U(1), data_coordinate: ['HSC', 5, 903334, 'r'], extra: { nested: [1, 'a'] } },
      { quantum_id: U(2), data_coordinate: ['H"S\\C', 6, 903334, 'r'] },
    ],
  },
  edges: [[U(1), U(3)], [U(2), U(3)]],
  later: 'ignored',
};

describe('lsst/qgFile thin graph', () => {
  it('orders tasks by the pipeline graph and splits required from implied dimensions', () => {
    expect(tasks.map((t) => [t.label, t.required, t.coordinateLength])).toEqual([
      ['isr', ['instrument', 'detector', 'exposure'], 4],
      ['calibrate', ['instrument', 'detector', 'visit'], 4],
    ]);
  });

  it('scans what JSON.parse reads, compact or spaced, with extra keys and escaped strings', () => {
    for (const text of [JSON.stringify(THIN), JSON.stringify(THIN, null, 2)]) {
      const scanned = scanThinGraph(Buffer.from(text), () => 3);
      expect(scanned.count).toBe(3);
      expect(scanned.ids).toEqual([U(3), U(1), U(2)]);
      expect(scanned.labels).toEqual(['calibrate', 'isr']);
      expect(scanned.values.slice(scanned.valueStart[2], scanned.valueStart[3])).toEqual(['H"S\\C', 6, 903334]);
      expect([...scanned.coordinateLength.subarray(0, 3)]).toEqual([4, 4, 4]);
      expect(scanned.edgeCount).toBe(2);
      expect([...scanned.edgeFrom.subarray(0, 2)]).toEqual([1, 2]);
      expect([...scanned.edgeTo.subarray(0, 2)]).toEqual([0, 0]);
    }
  });

  it('gives records parents first, in pipeline order, with the required data id', () => {
    const edgesFirst = `{"edges":${JSON.stringify(THIN.edges)},"quanta":${JSON.stringify(THIN.quanta)}}`;
    for (const text of [JSON.stringify(THIN), edgesFirst]) {
      const { quanta, records } = thinGraphRecords(Buffer.from(text), tasks, 'g.qg');
      expect(quanta).toBe(3);
      expect([...records]).toEqual([
        { id: U(1), label: 'isr', dataId: { instrument: 'HSC', detector: 5, exposure: 903334 }, parents: [] },
        { id: U(2), label: 'isr', dataId: { instrument: 'H"S\\C', detector: 6, exposure: 903334 }, parents: [] },
        { id: U(3), label: 'calibrate', dataId: { instrument: 'HSC', detector: 5, visit: 903334 }, parents: [U(1), U(2)] },
      ]);
    }
  });

  it('reports damaged blocks as bad input naming the file and the problem', () => {
    const bad = (thin: unknown, message: string) => {
      const text = typeof thin === 'string' ? thin : JSON.stringify(thin);
      let error: unknown;
      try {
        [...thinGraphRecords(Buffer.from(text), tasks, 'g.qg').records];
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BadInputError);
      expect((error as Error).message).toContain('g.qg: thin_graph block: ');
      expect((error as Error).message).toContain(message);
    };
    bad({ ...THIN, edges: [[U(1), U(9)]] }, 'names a quantum that is not in the graph');
    bad({ ...THIN, edges: [[U(3), U(1)]] }, "runs against the pipeline's task order");
    bad({ quanta: { isr: [{ quantum_id: 'not-a-uuid', data_coordinate: [] }] } }, 'is not a UUID');
    bad({ quanta: { isr: [{ quantum_id: U(1), data_coordinate: ['HSC', 5] }] } }, 'data coordinate has 2 values');
    bad({ quanta: { isr: [{ quantum_id: U(1) }, { quantum_id: U(1) }] } }, 'appears twice');
    bad({ quanta: { other: [] } }, 'which the pipeline graph does not have');
    bad(JSON.stringify(THIN).slice(0, 100), 'at byte');
    bad({ edges: [] }, 'no quanta');
  });

  it('refuses a pipeline graph whose tasks do not carry their dimension order', () => {
    const broken = structuredClone(PIPELINE_GRAPH) as { dataset_types: Record<string, unknown> };
    delete broken.dataset_types.isr_metadata;
    expect(() => taskDimensions(broken, 'g.qg')).toThrow('g.qg: pipeline_graph block: task isr: its metadata dataset type "isr_metadata" does not carry');
  });
});
