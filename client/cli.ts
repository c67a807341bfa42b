// The `tbps` command line: BPS verbs (submit, report, status, cancel, restart, ping, acquire, cluster,
// transform, prepare) plus `server` for the embedded Temporal dev server and workers.
import { Command } from 'commander';
import { registerVerbModule, registerVerbStubs } from './commandIndex.js';
import { installUsageErrors } from './usageErrors.js';

const program = new Command();
program
  .name('tbps')
  .description('Batch Production Service on Temporal: submit and follow LSST-style processing runs')
  .version('0.1.0')
  .addHelpText(
    'after',
    `\nQuick start:\n  npx tbps server start                      # Temporal dev server + local workers\n  npx tbps submit config/examples/synthetic.yaml --wait\n  npx tbps report\n\nEnvironment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (Temporal), TBPS_HOME (data dir), TBPS_DB (store), TBPS_TASK_QUEUE.`,
  );

// Only the given verb's module is loaded (`tbps help VERB` loads VERB's); the others are stand-ins from the index.
const [first, second] = process.argv.slice(2);
const verb = first === 'help' ? second : first;
const loaded = verb && !verb.startsWith('-') ? await registerVerbModule(program, verb) : new Set<string>();
registerVerbStubs(program, loaded);
installUsageErrors(program);

await program.parseAsync(process.argv);
