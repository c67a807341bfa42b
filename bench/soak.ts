// `npm run soak -- --kills 20 --seed S [--mode synthetic|lsst] [--short]`: the chaos soak. A campaign of 3 steps x 2
// groups runs on a private cluster while random executor/orchestrator workers are SIGKILLed (and restarted) and the
// dev server is SIGKILLed and restarted once; then one key=value line with the figures, and exit 1 naming every
// check that failed. The seed comes first so a failure can be replayed. Options: bench/lib/soak/options.ts.
import { runSoak } from './lib/soak/run.js';
import { parseSoakArgs, SoakUsageError, type SoakCliOptions } from './lib/soak/options.js';
import { syntheticWorkload } from './lib/soak/syntheticWorkload.js';
import { lsstWorkload } from './lib/soak/lsstWorkload.js';
import { resultLine } from './lib/soak/checks.js';

let o: SoakCliOptions;
try {
  o = parseSoakArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof SoakUsageError)) throw err;
  console.error(`soak: ${err.message}`);
  process.exit(2);
}
const given = process.argv.slice(2);
const replay = given.includes('--seed') ? given : ['--seed', String(o.seed), ...given];
console.log(`seed=${o.seed} (replay: npm run soak -- ${replay.join(' ')})`);
const outcome = await runSoak({
  seed: o.seed,
  kills: o.kills,
  serverRestarts: o.serverRestarts,
  mode: o.mode,
  executorCpus: o.executorCpus,
  timeoutSeconds: o.timeoutSeconds,
  keep: o.keep,
  workload:
    o.mode === 'lsst'
      ? lsstWorkload((line) => console.error(`soak: ${line}`), o.heartbeatTimeout)
      : syntheticWorkload({ quantaPerGroup: o.quantaPerGroup, jobSeconds: o.jobSeconds, numberOfRetries: o.numberOfRetries, heartbeatTimeout: o.heartbeatTimeout }),
  say: (line) => console.error(`soak: ${line}`),
});
for (const d of outcome.details) console.error(`soak: failed ${d}`);
console.log(resultLine(outcome));
if (outcome.failed.length) {
  console.error(`soak: FAILED checks: ${outcome.failed.join(', ')} (files kept in ${outcome.home})`);
  process.exit(1);
}
process.exit(0);
