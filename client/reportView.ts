// What `tbps report` prints for one run: the summary, the per-label table (BPS states, EXPECTED, TOTAL), the jobs
// whose last attempt failed with their error class and root cause, and optionally exit codes and provenance.
import { formatLabelTable, formatRunSummary } from '../core/report/index.js';
import type { ErrorSummary, Provenance, RunDetail } from './services/index.js';

export function printRunReport(d: RunDetail, opts: { allFailed?: { label: string; exitCode: number | null }[] } = {}): void {
  console.log(formatRunSummary({ ...d.run, counts: d.total.counts }));
  console.log();
  console.log(formatLabelTable(d.labels));
  if (d.failed.length > 0) {
    console.log();
    console.log(`Failed jobs (${d.total.counts.FAILED}):`);
    for (const j of d.failed) {
      const retries = j.attempts > 1 ? ` retries=${j.attempts - 1}` : '';
      console.log(`  ${j.name} [${j.label}] attempts=${j.attempts}${retries} exit=${j.exitCode ?? '-'} ${j.errorClass ?? ''}`);
      if (j.errorSummary) console.log(`    cause: ${j.errorSummary}`);
      if (j.logPath) console.log(`    log:   ${j.logPath.replace(/\.out$/, '.err')}`);
    }
  }
  if (opts.allFailed) {
    const byCode = new Map<string, number>();
    for (const j of opts.allFailed) {
      const key = `${j.label}\t${j.exitCode ?? 'signal'}\t${j.exitCode === 1 || j.exitCode === 2 ? 'payload' : 'infrastructure'}`;
      byCode.set(key, (byCode.get(key) ?? 0) + 1);
    }
    console.log();
    console.log('Exit codes of failed jobs (label, exit code, class, count):');
    if (byCode.size === 0) console.log('  none');
    for (const [k, n] of byCode) console.log(`  ${k.split('\t').join('  ')}  ${n}`);
  }
}

export function formatErrorSummary(e: ErrorSummary): string {
  const where = 'runId' in e.scope ? `run ${e.scope.runId}` : `campaign ${e.scope.campaign}`;
  if (e.classes.length === 0) return `No failed jobs in ${where}.`;
  const lines = [`Final failures of ${where} by error class (${e.failedJobs} jobs):`];
  for (const c of e.classes) {
    lines.push(`  ${c.errorClass}  ${c.count}`);
    lines.push(`    e.g. ${c.exampleJob} [${c.exampleLabel}]${'campaign' in e.scope ? ` in ${c.exampleRun}` : ''}`);
    if (c.exampleLine) lines.push(`    line:  ${c.exampleLine}`);
    if (c.exampleCause && c.exampleCause !== c.exampleLine) lines.push(`    cause: ${c.exampleCause}`);
  }
  return lines.join('\n');
}

export function formatProvenance(p: Provenance | undefined): string {
  if (!p) return 'Provenance: none recorded (provenance.json missing from the submit directory)';
  const lines = ['Provenance:'];
  lines.push(`  tbps ${p.tbps ?? '-'}  node ${p.node ?? '-'}  Temporal SDK ${p.temporalSdk ?? '-'}`);
  lines.push(`  LSST stack: ${p.lsst ? Object.entries(p.lsst).map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`);
  lines.push(`  host ${p.host ?? '-'}  prepared ${p.preparedAt ?? '-'}`);
  lines.push(`  config file: ${p.configFile ?? '-'}`);
  lines.push(`  config snapshot: ${p.configSnapshot ?? '-'}`);
  if (p.environment && Object.keys(p.environment).length > 0) {
    lines.push('  environment:');
    for (const [k, v] of Object.entries(p.environment)) lines.push(`    ${k}=${v}`);
  }
  return lines.join('\n');
}
