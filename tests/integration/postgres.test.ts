// Executors on two "hosts" sharing one PostgreSQL store: the planted-failure run of tests/helpers/planted.ts served
// by two executor workers with separate data directories (as two hosts have; their job registries apart) that,
// with the orchestrator and the CLI, reach one PostgreSQL database through TBPS_DB. Its final report must equal the
// same run's on the embedded SQLite store (one executor), and both executors must have run jobs. Then
// `tbps server start --db`: an unreachable URL or a bad password is one line, exit 2, nothing started, password
// hidden; a good URL starts the workers on it and later CLI commands of that data directory read it.
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../temporal/ports.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { expectPlantedReport, jobNamesByQuantum, totalPruned, writePlantedRun, type PlantedReport, type PlantedRun } from '../helpers/planted.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { withStore } from '../helpers/runs.js';

const PG_RUN = 'pg_planted';
const SQLITE_RUN = 'pg_planted_sqlite';
/** Each executor appends a line here (in its own data directory) for every job attempt it starts. */
const RAN_FILE = 'jobs-started.txt';

let db: TestDatabase;
let pgHarness: Harness;
let secondHome: string;

beforeAll(async () => {
  db = await createTestDatabase('two_hosts');
  pgHarness = createHarness('pg', { TBPS_DB: db.url });
  secondHome = mkdtempSync(path.join(os.tmpdir(), 'tbps-pg-second-host-'));
});

afterAll(async () => {
  await pgHarness?.stopAll();
  await db?.drop();
});

/** The planted run, with a first line in its job script that tells which executor (data directory) started it. */
async function plantedRun(dir: string, runId: string): Promise<PlantedRun> {
  const p = await writePlantedRun(dir, runId);
  const script = path.join(p.dir, 'job.sh');
  writeFileSync(script, `echo "$1" >> "$TBPS_HOME/${RAN_FILE}"\n${readFileSync(script, 'utf8')}`);
  return p;
}

const linesIn = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

/** What must be equal between the two stores: the run's state and sizes, the per-label table, the error summary. */
function comparable(h: Harness, runId: string) {
  const report = JSON.parse(h.tbps(['report', '--id', runId, '--json']).stdout) as PlantedReport & { run: { quanta: number; jobs: number } };
  const errors = JSON.parse(h.tbps(['report', '--id', runId, '--errors', '--json']).stdout) as unknown;
  return {
    run: { state: report.run.state, quanta: report.run.quanta, jobs: report.run.jobs },
    labels: report.labels,
    errors: JSON.parse(JSON.stringify(errors).replaceAll(runId, '<run>')) as unknown,
  };
}

describe('two executors on two data directories sharing one PostgreSQL store', () => {
  let p: PlantedRun;

  it('finish the planted run with the same report as the embedded SQLite store', async () => {
    const h = pgHarness;
    h.startOrchestrator();
    h.startExecutor({ TBPS_EXECUTOR_CPUS: '4', TBPS_EXECUTOR_MEMORY_MB: '3000' });
    h.startExecutor({ TBPS_HOME: secondHome, TBPS_EXECUTOR_CPUS: '4', TBPS_EXECUTOR_MEMORY_MB: '3000' });
    p = await plantedRun(path.join(h.home, 'planted'), PG_RUN);
    const r = await h.tbpsAsync(['submit', p.config, '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the run FAILED: one payload failure
    expectPlantedReport(p, JSON.parse(h.tbps(['report', '--id', PG_RUN, '--json']).stdout) as PlantedReport);

    // Both executors ran jobs, each from its own data directory (its job registry there, not in the other's).
    const first = linesIn(path.join(h.home, RAN_FILE));
    const second = linesIn(path.join(secondHome, RAN_FILE));
    expect({ first: first > 0, second: second > 0 }).toEqual({ first: true, second: true });
    // Every payload attempt started once: the jobs that ran, plus the SIGKILLed and the out-of-memory retries.
    expect(first + second).toBe(p.graph.size - totalPruned(p) + 2);
    expect(readdirSync(secondHome)).toContain('executors');

    const jobOf = await jobNamesByQuantum(p);
    await withStore(
      h.home,
      async (s) => {
        expect((await s.attempts(PG_RUN, jobOf(p.failId))).map((a) => [a.state, a.exitCode, a.errorClass])).toEqual([['FAILED', 1, 'python:ValueError']]);
        expect((await s.attempts(PG_RUN, jobOf(p.oomId))).map((a) => [a.state, a.memoryMb, a.errorClass])).toEqual([
          ['READY', 200, 'out_of_memory'],
          ['SUCCEEDED', 400, null],
        ]);
      },
      db.url,
    );

    // The same run on the embedded SQLite store, one executor.
    const sqlite = createHarness('pg-sqlite');
    try {
      sqlite.startOrchestrator();
      sqlite.startExecutor({ TBPS_EXECUTOR_CPUS: '8', TBPS_EXECUTOR_MEMORY_MB: '6000' });
      const q = await plantedRun(path.join(sqlite.home, 'planted'), SQLITE_RUN);
      const rs = await sqlite.tbpsAsync(['submit', q.config, '--wait']);
      expect(rs.stderr).toBe('');
      expect(rs.code).toBe(1);
      expect(comparable(h, PG_RUN)).toEqual(comparable(sqlite, SQLITE_RUN));
    } finally {
      await sqlite.stopAll();
    }
  }, 1_800_000);
});

describe('tbps server start --db', () => {
  it('an unreachable server or a bad password: one line, exit 2, password hidden, nothing started', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'tbps-pg-server-bad-'));
    const port = String(await freePort());
    const badPassword = new URL(db.url);
    badPassword.password = 'wrong-pass-word';
    for (const [url, why] of [
      ['postgres://tbps:s3cret-word@127.0.0.1:1/tbps', /connection refused/],
      [badPassword.toString(), /password authentication failed/],
    ] as const) {
      const r = pgHarness.tbps(['server', 'start', '--port', port, '--db', url], { env: { TBPS_HOME: home } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^tbps: error: --db: cannot open the PostgreSQL store postgres:\/\/tbps:\*\*\*@/);
      expect(r.stderr).toMatch(why);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/s3cret-word|wrong-pass-word/);
      expect(r.stdout).toBe('');
    }
    // Nothing started, nothing saved: no pid, log or store files in the data directory.
    expect(readdirSync(home)).toEqual([]);
  });

  it('a good URL: the workers use it, the choice is kept (0600) and later CLI commands read that store', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'tbps-pg-server-'));
    const port = String(await freePort());
    const uiPort = String(await freePort());
    // Its own data directory and task queues; no TBPS_DB (the --db choice is what must reach the workers and the CLI).
    const env = { TBPS_HOME: home, TBPS_DB: '', TBPS_TASK_QUEUE: `tbps-test-pg-server-${process.pid}-${Date.now()}` };
    try {
      const r = pgHarness.tbps(['server', 'start', '--port', port, '--ui-port', uiPort, '--no-dashboard', '--db', db.url], { env, timeoutMs: 300_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`store: ${db.url.replace(/:[^:@/]+@/, ':***@')} (PostgreSQL)`);
      expect(r.stdout).not.toContain(new URL(db.url).password);
      expect(r.stdout).toContain('workers are polling');
      expect(statSync(path.join(home, 'store-location')).mode & 0o777).toBe(0o600);
      // Without TBPS_DB, commands of this data directory read the saved store: the planted run is there.
      const list = JSON.parse(pgHarness.tbps(['report', '--json'], { env }).stdout) as { runId: string }[];
      expect(list.map((run) => run.runId)).toContain(PG_RUN);
      expect(pgHarness.tbps(['server', 'status', '--port', port], { env }).stdout).toMatch(/^store\s+: postgres:\/\/tbps:\*\*\*@.* \(PostgreSQL\)$/m);
    } finally {
      const stop = pgHarness.tbps(['server', 'stop', '--port', port], { env, timeoutMs: 120_000 });
      expect(stop.code).toBe(0);
    }
  }, 600_000);
});
