// Where the wall time of one end-to-end submit went, read the same way for tbps and ctrl_bps from the files both
// leave in the submit directory: the graph generation's log (quantumGraphGeneration.out) and one log file pair per
// job (tbps: jobs/<label>/<name>.<attempt>.{out,err}; ctrl_bps: logs/<label>/.../<name>.{stdout,stderr}). A job's
// log is created when the job is launched (its birth time) and last written when it ends (its mtime).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Phases {
  /** `pipetask qgraph`: its log's first to last write */
  graph: number;
  /** submit start to the init job's launch: graph, conversion, clustering, workflow, scheduling */
  toInit: number;
  /** pipetaskInit, launch to end */
  init: number;
  /** end of pipetaskInit to the end of the last payload job */
  jobs: number;
  /** median of the payload jobs' launch-to-end times */
  jobMedian: number;
  /** finalJob, launch to end */
  final: number;
  /** end of the final job to the submit command's exit */
  tail: number;
  /** payload jobs found */
  jobCount: number;
}

interface Span {
  start: number;
  end: number;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function spanOf(file: string): Span {
  const s = statSync(file);
  return { start: s.birthtimeMs, end: s.mtimeMs };
}

const merge = (a: Span | undefined, b: Span): Span => (a ? { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) } : b);

/** Per job (label, name): the span of its log files. */
function jobSpans(logRoot: string): Map<string, { label: string; span: Span }> {
  const jobs = new Map<string, { label: string; span: Span }>();
  for (const file of filesUnder(logRoot)) {
    const label = path.relative(logRoot, file).split(path.sep)[0];
    const name = path.basename(file).replace(/(\.\d+)?\.(out|err|stdout|stderr)$/, '');
    if (name === path.basename(file)) continue; // not a job log
    const key = `${label}/${name}`;
    jobs.set(key, { label, span: merge(jobs.get(key)?.span, spanOf(file)) });
  }
  return jobs;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Phases of one submit that started at `startedMs` and exited at `endedMs` (epoch ms), from its submit directory.
 * `logDir` is where the job logs are (tbps: 'jobs', ctrl_bps: 'logs'). Throws when a phase's files are missing.
 */
export function readPhases(submitPath: string, logDir: string, startedMs: number, endedMs: number): Phases {
  const graph = spanOf(path.join(submitPath, 'quantumGraphGeneration.out'));
  const jobs = [...jobSpans(path.join(submitPath, logDir)).values()];
  const one = (label: string): Span => {
    const found = jobs.filter((j) => j.label === label);
    if (found.length !== 1) throw new Error(`${submitPath}/${logDir}: expected one ${label} job log, found ${found.length}`);
    return found[0].span;
  };
  const init = one('pipetaskInit');
  const final = one('finalJob');
  const payload = jobs.filter((j) => j.label !== 'pipetaskInit' && j.label !== 'finalJob').map((j) => j.span);
  if (payload.length === 0) throw new Error(`${submitPath}/${logDir}: no payload job logs`);
  const lastEnd = Math.max(...payload.map((s) => s.end));
  const seconds = (ms: number) => ms / 1000;
  return {
    graph: seconds(graph.end - graph.start),
    toInit: seconds(init.start - startedMs),
    init: seconds(init.end - init.start),
    jobs: seconds(lastEnd - init.end),
    jobMedian: seconds(median(payload.map((s) => s.end - s.start))),
    final: seconds(final.end - final.start),
    tail: seconds(endedMs - final.end),
    jobCount: payload.length,
  };
}
