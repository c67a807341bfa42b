// What `tbps report` prints for one run: the summary, the per-label table (BPS states, EXPECTED, TOTAL), and the
// failed jobs with the root cause from their logs.
import { formatLabelTable, formatRunSummary, totalCounts } from '../core/report/index.js';
import type { State } from '../core/states.js';
import type { Store } from '../store/index.js';

export async function printRunReport(store: Store, runId: string, opts: { exitCodes?: boolean; maxFailed?: number } = {}): Promise<State | undefined> {
  const run = await store.getRun(runId);
  if (!run) {
    console.log(`no run '${runId}' in the store`);
    return undefined;
  }
  const counts = await store.labelCounts(runId);
  const total = totalCounts(counts).counts;
  console.log(formatRunSummary({ ...run, counts: total }));
  console.log();
  console.log(formatLabelTable(counts));
  const failed = await store.jobsByState(runId, 'FAILED', opts.maxFailed ?? 20);
  if (failed.length > 0) {
    console.log();
    console.log(`Failed jobs (${total.FAILED ?? failed.length}):`);
    for (const j of failed) {
      console.log(`  ${j.name} [${j.label}] attempts=${j.attempts} exit=${j.exitCode ?? '-'} ${j.errorClass ?? ''}`);
      if (j.errorSummary) console.log(`    cause: ${j.errorSummary}`);
      if (j.logPath) console.log(`    log:   ${j.logPath.replace(/\.out$/, '.err')}`);
    }
  }
  if (opts.exitCodes) {
    const byCode = new Map<string, number>();
    for (const j of await store.jobsByState(runId, 'FAILED', 1_000_000)) {
      const key = `${j.label}\t${j.exitCode ?? 'signal'}\t${j.exitCode === 1 || j.exitCode === 2 ? 'payload' : 'infrastructure'}`;
      byCode.set(key, (byCode.get(key) ?? 0) + 1);
    }
    console.log();
    console.log('Exit codes of failed jobs (label, exit code, class, count):');
    if (byCode.size === 0) console.log('  none');
    for (const [k, n] of byCode) console.log(`  ${k.split('\t').join('  ')}  ${n}`);
  }
  return run.state;
}
