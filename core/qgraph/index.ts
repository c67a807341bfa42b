// Public API of the quantum-graph module: model types, the compact in-memory graph, streaming reader/writer and the
// synthetic DRP generator. The file format is documented in FORMAT.md.

export type { DataId, DataIdValue, QGraphHeader, QuantumGraph, QuantumRecord, TaskDef } from './model.js';
export { CompactQuantumGraph, QuantumGraphBuilder } from './compact.js';
export { validateHeader } from './header.js';
export { graphFromRecords, readQGraphHeader, readQuantumGraph, readQuantumRecords, registerGraphFileReader, type GraphFileReader } from './reader.js';
export { writeQuantumGraph } from './writer.js';
export { LineWriter } from './linewriter.js';
export {
  SYNTHETIC_BANDS,
  SYNTHETIC_TASKS,
  syntheticCounts,
  syntheticGraph,
  syntheticOptionsForQuanta,
  type SyntheticOptions,
} from './synthetic.js';
export { seededUuid } from './uuid.js';
