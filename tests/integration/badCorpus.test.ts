// The bad-input corpus (tests/fixtures/bad/cases.yaml) through the real CLI: for every case exit code 2, exactly one
// line on stderr naming the case's key, no workflow or schedule started (counted on the test server before and
// after) and no file written (the case's directory and the harness home are snapshotted before and after).
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orchestratorQueue } from '../../core/run/queues.js';
import { firstLine, loadCorpus, outcomeProblems, prepareCase, snapshot, snapshotDiff, type BadCase, type Outcome } from '../helpers/badCorpus.js';
import { createHarness, type Harness } from '../helpers/harness.js';

/** CLI processes at once (start-up is ~1.5 s each; the machine is shared). */
const CONCURRENCY = 4;
/** Longest a bad input may take to be refused (the 50 MiB config included). */
const CASE_TIMEOUT_MS = 60_000;

const corpus = loadCorpus();
/** TBPS_CORPUS_ONLY=<regex> runs only the matching cases (while working on one area); the size check stays. */
const only = process.env.TBPS_CORPUS_ONLY ? new RegExp(process.env.TBPS_CORPUS_ONLY) : undefined;
const cases = only ? corpus.filter((c) => only.test(c.id)) : corpus;
let h: Harness;
const results = new Map<string, { outcome: Outcome; problems: string[] }>();

/** A task-queue prefix of its own per case, so a started workflow is attributed to the case that started it. */
const queuePrefix = (h: Harness, i: number) => `${h.env.TBPS_TASK_QUEUE}-c${i}`;
const caseDir = (h: Harness, c: BadCase) => path.join(h.home, 'cases', c.id.replace(/\//g, '__'));

async function workflowsOn(prefix: string): Promise<number> {
  const client = await h.client();
  const { count } = await client.workflow.count(`TaskQueue = '${orchestratorQueue(prefix)}'`);
  return count;
}

async function scheduleIds(): Promise<Set<string>> {
  const client = await h.client();
  const ids = new Set<string>();
  for await (const s of client.schedule.list()) ids.add(s.scheduleId);
  return ids;
}

async function runCase(c: BadCase, i: number): Promise<void> {
  const dir = caseDir(h, c);
  prepareCase(c, dir);
  const prefix = queuePrefix(h, i);
  const filesBefore = snapshot(dir);
  const workflowsBefore = await workflowsOn(prefix);
  const outcome = await h.tbpsAsync(c.run, { cwd: dir, env: { ...c.env, TBPS_TASK_QUEUE: prefix }, timeoutMs: CASE_TIMEOUT_MS });
  const problems = outcomeProblems(c, outcome);
  const written = snapshotDiff(filesBefore, snapshot(dir));
  if (written.length > 0) problems.push(`files written: ${written.slice(0, 5).join(', ')}`);
  const started = (await workflowsOn(prefix)) - workflowsBefore;
  if (started !== 0) problems.push(`${started} workflow(s) started`);
  results.set(c.id, { outcome, problems });
}

let homeBefore: Map<string, string>;
let schedulesBefore: Set<string>;
let escapesBefore: string[];
/** The case directories are checked per case; the rest of the home (e.g. home/cases/escaped) must not change. */
const caseDirs = new Set(cases.map((c) => path.join('cases', c.id.replace(/\//g, '__'))));
const outsideCases = (rel: string) => caseDirs.has(rel);
/** Absolute paths that cases name as escape targets (outputRun: /tmp/tbps-corpus-escaped, output: /etc/tbps-corpus). */
const escapeTargets = () => [...readdirSync('/tmp').filter((n) => n.startsWith('tbps-corpus-')).map((n) => `/tmp/${n}`), '/etc/tbps-corpus'].filter((p) => existsSync(p));

beforeAll(async () => {
  h = createHarness('badcorpus');
  mkdirSync(path.join(h.home, 'cases'));
  homeBefore = snapshot(h.home, outsideCases);
  schedulesBefore = await scheduleIds();
  escapesBefore = escapeTargets();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      await runCase(cases[i], i);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}, 30 * 60_000);

afterAll(async () => {
  await h?.stopAll();
  // The generated big configs (up to 50 MiB each) are not worth keeping; the other case directories are.
  if (h) for (const c of cases) for (const name of Object.keys(c.generate)) rmSync(path.join(caseDir(h, c), name), { force: true });
});

describe('the bad-input corpus', () => {
  it('has at least 60 cases, each with a key to name', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(cases.length).toBeGreaterThan(0);
    expect(results.size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s: exit 2, one line naming the key, nothing started or written', (_id, c) => {
    const r = results.get(c.id);
    expect(r, 'the case did not run').toBeDefined();
    const said = `${c.id}${c.area ? ` (area ${c.area})` : ''}: ${firstLine(r!.outcome)}`;
    expect(r!.problems.map((p) => `${said}\n  -> ${p}`).join('\n')).toBe('');
  });

  it('started no workflow (visibility settled) and no schedule, and wrote nothing outside the case directories', async () => {
    // Visibility may trail a start by a moment: list again once it has settled, attributing by task queue.
    await new Promise((r) => setTimeout(r, 2000));
    const client = await h.client();
    const started: string[] = [];
    for await (const wf of client.workflow.list()) {
      const m = wf.taskQueue.match(/-c(\d+)$/);
      if (wf.taskQueue.startsWith(String(h.env.TBPS_TASK_QUEUE)) && m) started.push(`${cases[Number(m[1])]?.id}: ${wf.workflowId}`);
    }
    expect(started).toEqual([]);
    const after = await scheduleIds();
    // only the schedule ids the corpus names (all contain 'corpus'): other test files share the dev server and may
    // create schedules of their own meanwhile
    expect([...after].filter((id) => !schedulesBefore.has(id) && id.includes('corpus'))).toEqual([]);
    expect(snapshotDiff(homeBefore, snapshot(h.home, outsideCases))).toEqual([]);
    expect(escapeTargets().filter((p) => !escapesBefore.includes(p))).toEqual([]);
  });
});
