// `tbps logs`: the logs of a run's jobs, one block per attempt: a header (job, attempt, host, exit code or signal,
// memory requested and peak, error class, log path), the root-cause line first, then the end of the log.
// --follow streams a running job's output until the job ends.
import type { Command } from 'commander';
import { isTerminal } from '../../core/states.js';
import { runAction, UsageError } from '../exit.js';
import { jobLogs, readFrom, withServices, type AttemptLog, type LogSelection } from '../services/index.js';
import { describeVerb } from '../commandIndex.js';

export function formatAttemptHeader(a: AttemptLog): string {
  const t = a.attempt;
  const outcome = t.signal ? `signal ${t.signal}` : t.exitCode !== null ? `exit ${t.exitCode}` : t.endedAt ? '-' : 'running';
  const mem = `memory ${t.memoryMb ?? '-'} MiB requested, peak ${t.peakRssMb !== null ? Math.round(t.peakRssMb) : '-'} MiB`;
  return [
    `==> ${a.job.name} [${a.job.label}] attempt ${t.attempt}/${a.job.attempts}  ${t.state}  host ${t.host ?? '-'}  ${outcome}  ${mem}`,
    `    error class: ${t.errorClass ?? '-'}${t.errorLine ? `  (matched: ${t.errorLine})` : ''}`,
    `    log: ${t.logPath ?? '-'}${t.logPath ? `  (stderr: ${t.logPath.replace(/\.out$/, '.err')})` : ''}`,
  ].join('\n');
}

function printAttempt(a: AttemptLog): void {
  console.log(formatAttemptHeader(a));
  if (a.rootCause) console.log(`    root cause: ${a.rootCause}`);
  for (const [name, f] of [['stderr', a.stderr], ['stdout', a.stdout]] as const) {
    if (!f.exists) continue;
    console.log(`--- ${name}${f.truncated ? ` (last lines of ${f.size} bytes)` : ''} ---`);
    process.stdout.write(f.text.endsWith('\n') || f.text === '' ? f.text : `${f.text}\n`);
  }
  console.log();
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description(describeVerb('logs'))
    .requiredOption('--id <run>', 'run id (uniqProcName)')
    .option('--job <name>', 'one job by name')
    .option('--label <label>', 'jobs of a label')
    .option('--state <states>', 'jobs in these states (comma-separated), e.g. FAILED')
    .option('--data-id <pairs>', 'jobs whose data id has these values, e.g. "visit=903334 detector=10"')
    .option('--error-class <name>', 'jobs whose last attempt failed with this error class')
    .option('--site <site>', 'jobs of a compute site')
    .option('--attempt <n|all>', 'which attempt (default: the last)')
    .option('--tail <n>', 'lines from the end of each log (0: up to 1 MiB)', '100')
    .option('--max-jobs <n>', 'most jobs shown for a filter', '20')
    .option('--follow', "stream a running job's output until it ends (needs --job)")
    .option('--json', 'machine-readable output')
    .action((o) =>
      runAction(async () => {
        const attempt = o.attempt === undefined ? undefined : o.attempt === 'all' ? 'all' : Number(o.attempt);
        if (o.follow && !o.job) throw new UsageError('--follow needs --job NAME');
        if (!o.job && !o.label && !o.state && !o.dataId && !o.errorClass && !o.site) {
          throw new UsageError('choose jobs with --job, --label, --state, --data-id, --error-class or --site (e.g. --state FAILED)');
        }
        const sel: LogSelection = {
          job: o.job,
          label: o.label,
          state: o.state,
          dataId: o.dataId,
          errorClass: o.errorClass,
          computeSite: o.site,
          attempt: attempt as LogSelection['attempt'],
          tail: Number(o.tail),
          maxJobs: Number(o.maxJobs),
        };
        return withServices(async (ctx) => {
          const res = await jobLogs(ctx, o.id, sel);
          if (o.json) {
            console.log(JSON.stringify(res, null, 2));
            return 0;
          }
          if (res.attempts.length === 0) {
            console.log(res.matched === 0 ? 'no jobs match' : 'the matching jobs have no attempts yet');
            if (!o.follow) return 0;
          }
          for (const a of res.attempts) printAttempt(a);
          if (res.matched > res.attempts.length && !o.job) console.log(`(${res.matched} jobs match; showing ${Math.min(res.matched, sel.maxJobs ?? 20)}: raise --max-jobs or narrow the filter)`);
          if (!o.follow) return 0;
          // Follow: print what the job's current attempt appends, switching to a new attempt's log, until it ends.
          let current = res.attempts.at(-1);
          let offsets = { out: current?.stdout.size ?? 0, err: current?.stderr.size ?? 0 };
          for (;;) {
            const job = await ctx.store.getJob(o.id, o.job);
            const attempts = await ctx.store.attempts(o.id, o.job);
            const last = attempts.at(-1);
            if (last && last.logPath && last.attempt !== current?.attempt.attempt) {
              console.log(`==> attempt ${last.attempt} on ${last.host ?? '-'}`);
              current = { ...(current as AttemptLog), attempt: last };
              offsets = { out: 0, err: 0 };
            }
            if (last?.logPath) {
              const out = readFrom(last.logPath, offsets.out);
              const err = readFrom(last.logPath.replace(/\.out$/, '.err'), offsets.err);
              if (out.text) process.stdout.write(out.text);
              if (err.text) process.stderr.write(err.text);
              offsets = { out: out.next, err: err.next };
            }
            if (job && isTerminal(job.state) && last?.endedAt) {
              console.log(`==> ${o.job} ${job.state}${job.errorSummary && job.state !== 'SUCCEEDED' ? `: ${job.errorSummary}` : ''}`);
              return 0;
            }
            await new Promise((r) => setTimeout(r, 500));
          }
        });
      }),
    );
}
