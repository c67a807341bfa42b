// CLI: write a synthetic DRP-shaped quantum graph in the tbps-qgraph format.
//   npx tsx bench/gen-qgraph.ts --quanta 100000 --out /tmp/g.qg.jsonl [--seed 1]
//   npx tsx bench/gen-qgraph.ts --visits 10 --detectors 8 --tracts 1 --patches 4 --bands 3 --visits-per-patch 5 --out g.jsonl
import { parseArgs } from 'node:util';
import { syntheticCounts, syntheticGraph, syntheticOptionsForQuanta, writeQuantumGraph, type SyntheticOptions } from '../core/qgraph/index.js';

const { values } = parseArgs({
  options: {
    quanta: { type: 'string' },
    visits: { type: 'string' },
    detectors: { type: 'string' },
    tracts: { type: 'string' },
    patches: { type: 'string' },
    bands: { type: 'string' },
    'visits-per-patch': { type: 'string' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});

function die(msg: string): never {
  console.error(`gen-qgraph: ${msg}`);
  process.exit(2);
}

if (!values.out) die('--out FILE is required');
const seed = Number(values.seed);
let opts: SyntheticOptions;
if (values.quanta) {
  opts = syntheticOptionsForQuanta(Number(values.quanta), seed);
} else if (values.visits && values.detectors) {
  opts = {
    visits: Number(values.visits),
    detectors: Number(values.detectors),
    tracts: Number(values.tracts ?? 0),
    patchesPerTract: Number(values.patches ?? 0),
    bands: Number(values.bands ?? 1),
    visitsPerPatch: Number(values['visits-per-patch'] ?? 1),
    seed,
  };
} else {
  die('give --quanta N, or --visits and --detectors (plus --tracts --patches --bands --visits-per-patch)');
}
const t0 = performance.now();
const { header, records } = syntheticGraph(opts);
const res = await writeQuantumGraph(values.out, header, records);
const counts = syntheticCounts(opts);
console.log(
  `wrote ${values.out}: quanta=${res.quanta} bytes=${res.bytes} seconds=${((performance.now() - t0) / 1000).toFixed(2)} ` +
    `options=${JSON.stringify(opts)} perLabel=${JSON.stringify(counts.perLabel)}`,
);
