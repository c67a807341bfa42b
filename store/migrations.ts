// Schema migrations, in code, for the Kysely Migrator. Only portable types and builders: the same migrations make the
// SQLite and the PostgreSQL schema.

import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const m0001: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('runs')
      .ifNotExists()
      .addColumn('run_id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('workflow_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('payload_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('operator', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('project', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('campaign', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('step', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('submit_path', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('wms', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('compute_site', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('quanta', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('jobs', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('restart_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('runs_created_at').ifNotExists().on('runs').column('created_at').execute();
    await db.schema.createIndex('runs_campaign_step').ifNotExists().on('runs').columns(['campaign', 'step']).execute();

    await db.schema
      .createTable('jobs')
      .ifNotExists()
      .addColumn('run_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('label', 'varchar(255)', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('batch', 'integer', (c) => c.notNull())
      .addColumn('quanta', 'integer', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('attempt_base', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('exit_code', 'integer')
      .addColumn('signal', 'varchar(32)')
      .addColumn('host', 'text')
      .addColumn('started_at', 'varchar(32)')
      .addColumn('ended_at', 'varchar(32)')
      .addColumn('peak_rss_mb', 'double precision')
      .addColumn('memory_mb', 'integer')
      .addColumn('log_path', 'text')
      .addColumn('error_class', 'varchar(32)')
      .addColumn('error_summary', 'text')
      .addColumn('parents', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('jobs_pk', ['run_id', 'name'])
      .execute();
    await db.schema.createIndex('jobs_batch').ifNotExists().on('jobs').columns(['run_id', 'batch', 'seq']).execute();
    await db.schema.createIndex('jobs_state').ifNotExists().on('jobs').columns(['run_id', 'state', 'seq']).execute();
    await db.schema.createIndex('jobs_label_state').ifNotExists().on('jobs').columns(['run_id', 'label', 'state']).execute();

    await db.schema
      .createTable('job_attempts')
      .ifNotExists()
      .addColumn('run_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('job_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('host', 'text')
      .addColumn('memory_mb', 'integer')
      .addColumn('log_path', 'text')
      .addColumn('started_at', 'varchar(32)')
      .addColumn('ended_at', 'varchar(32)')
      .addColumn('exit_code', 'integer')
      .addColumn('signal', 'varchar(32)')
      .addColumn('peak_rss_mb', 'double precision')
      .addColumn('error_class', 'varchar(32)')
      .addColumn('error_summary', 'text')
      .addPrimaryKeyConstraint('job_attempts_pk', ['run_id', 'job_name', 'attempt'])
      .execute();

    await db.schema
      .createTable('run_labels')
      .ifNotExists()
      .addColumn('run_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('label', 'varchar(255)', (c) => c.notNull())
      .addColumn('first_seq', 'integer', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('expected', 'integer', (c) => c.notNull())
      .addColumn('quanta', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('run_labels_pk', ['run_id', 'label'])
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['run_labels', 'job_attempts', 'jobs', 'runs']) await db.schema.dropTable(t).ifExists().execute();
  },
};

/**
 * Watching: per-attempt facts for statistics (job label, ready time, wall and queue-wait seconds, the matched
 * error-class line), per-job data id and compute site for filters, per-task quanta of clustered jobs (and their
 * measured seconds) for per-task statistics, per-label attempt statistics kept with the attempts, and the indexes
 * the dashboard's pages page through (a 1M-job run's report, statistics and filtered pages each within a second:
 * bench/report.ts).
 */
const m0002: Migration = {
  async up(db: Kysely<any>) {
    for (const [col, type] of [['data_id', 'text'], ['compute_site', 'varchar(255)'], ['error_line', 'text']] as const) {
      await db.schema.alterTable('jobs').addColumn(col, type).execute();
    }
    for (const [col, type] of [
      ['label', 'varchar(255)'],
      ['ready_at', 'varchar(32)'],
      ['wall_s', 'double precision'],
      ['wait_s', 'double precision'],
      ['error_line', 'text'],
    ] as const) {
      await db.schema.alterTable('job_attempts').addColumn(col, type).execute();
    }
    await db.schema
      .createTable('job_tasks')
      .ifNotExists()
      .addColumn('run_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('job_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('label', 'varchar(255)', (c) => c.notNull())
      .addColumn('task_label', 'varchar(255)', (c) => c.notNull())
      .addColumn('quanta', 'integer', (c) => c.notNull())
      .addColumn('seconds', 'double precision')
      .addPrimaryKeyConstraint('job_tasks_pk', ['run_id', 'job_name', 'task_label'])
      .execute();
    await db.schema.createIndex('job_tasks_label').ifNotExists().on('job_tasks').columns(['run_id', 'label']).execute();
    // Job pages in workflow order, by run, label or compute site. data_id rides along so a data-id filter (LIKE
    // '% visit=903334 %') is tested on index entries and only matching jobs are read.
    await db.schema.createIndex('jobs_seq').ifNotExists().on('jobs').columns(['run_id', 'seq', 'data_id']).execute();
    await db.schema.createIndex('jobs_label_seq').ifNotExists().on('jobs').columns(['run_id', 'label', 'seq', 'data_id']).execute();
    await db.schema.createIndex('jobs_site_seq').ifNotExists().on('jobs').columns(['run_id', 'compute_site', 'seq', 'data_id']).execute();
    await db.schema.createIndex('jobs_error_seq').ifNotExists().on('jobs').columns(['run_id', 'error_class', 'seq']).execute();
    // Per-label job counts by state and retries from the index alone (replaces 0001's jobs_label_state).
    await db.schema.dropIndex('jobs_label_state').ifExists().execute();
    await db.schema.createIndex('jobs_label_stats').ifNotExists().on('jobs').columns(['run_id', 'label', 'state', 'attempts']).execute();
    // Per-label attempt statistics, maintained with every attempt record (store/labelAggregates.ts).
    await db.schema
      .createTable('label_attempt_stats')
      .ifNotExists()
      .addColumn('run_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('label', 'varchar(255)', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('failed_attempts', 'integer', (c) => c.notNull())
      .addColumn('wall_n', 'integer', (c) => c.notNull())
      .addColumn('wall_sum', 'double precision', (c) => c.notNull())
      .addColumn('wall_err', 'double precision', (c) => c.notNull())
      .addColumn('wall_min', 'double precision')
      .addColumn('wall_max', 'double precision')
      .addColumn('mem_n', 'integer', (c) => c.notNull())
      .addColumn('mem_sum', 'double precision', (c) => c.notNull())
      .addColumn('mem_err', 'double precision', (c) => c.notNull())
      .addColumn('mem_min', 'double precision')
      .addColumn('mem_max', 'double precision')
      .addColumn('wait_n', 'integer', (c) => c.notNull())
      .addColumn('wait_sum', 'double precision', (c) => c.notNull())
      .addColumn('wait_err', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('label_attempt_stats_pk', ['run_id', 'label'])
      .execute();
    // A label's attempts with their wall time and peak memory: the new minimum and maximum when one leaves.
    await db.schema.createIndex('job_attempts_label').ifNotExists().on('job_attempts').columns(['run_id', 'label', 'wall_s', 'peak_rss_mb']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('job_tasks').ifExists().execute();
    await db.schema.dropTable('label_attempt_stats').ifExists().execute();
    for (const i of ['jobs_seq', 'jobs_label_seq', 'jobs_site_seq', 'jobs_error_seq', 'jobs_label_stats', 'job_attempts_label']) {
      await db.schema.dropIndex(i).ifExists().execute();
    }
    await db.schema.createIndex('jobs_label_state').ifNotExists().on('jobs').columns(['run_id', 'label', 'state']).execute();
  },
};

/**
 * The dashboard's run timeline and progress over time: a run's attempts by start time (the most recent N without a
 * scan) and its jobs by end time (first/last end and the completions per time bucket from the index alone).
 */
const m0003: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('job_attempts_started').ifNotExists().on('job_attempts').columns(['run_id', 'started_at']).execute();
    await db.schema.createIndex('jobs_ended').ifNotExists().on('jobs').columns(['run_id', 'ended_at', 'state']).execute();
  },
  async down(db: Kysely<any>) {
    for (const i of ['job_attempts_started', 'jobs_ended']) await db.schema.dropIndex(i).ifExists().execute();
  },
};

/** A run's data query, so a campaign's groups show theirs from the store rather than from the workflow's state. */
const m0004: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('runs').addColumn('data_query', 'text', (c) => c.notNull().defaultTo('')).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('runs').dropColumn('data_query').execute();
  },
};

/**
 * The per-site scheduler: sites' running-job limits, runs' priorities and campaign limits, and job slot leases
 * (store/siteSlots.ts). The lease index serves the grant order (site, priority, request time).
 */
const m0005: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('site_limits')
      .ifNotExists()
      .addColumn('site', 'text', (c) => c.primaryKey())
      .addColumn('max_running_jobs', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('run_slot_policies')
      .ifNotExists()
      .addColumn('run_id', 'text', (c) => c.primaryKey())
      .addColumn('site', 'text', (c) => c.notNull())
      .addColumn('campaign', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('campaign_limit', 'integer')
      .execute();
    await db.schema
      .createTable('site_slots')
      .ifNotExists()
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('job', 'text', (c) => c.notNull())
      .addColumn('site', 'text', (c) => c.notNull())
      .addColumn('campaign', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('campaign_limit', 'integer')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'text')
      .addColumn('renewed_at', 'text', (c) => c.notNull())
      .addColumn('holder', 'text', (c) => c.notNull().defaultTo(''))
      .addPrimaryKeyConstraint('site_slots_pk', ['run_id', 'job'])
      .execute();
    await db.schema.createIndex('site_slots_order').ifNotExists().on('site_slots').columns(['site', 'priority', 'requested_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('site_slots_order').ifExists().execute();
    for (const t of ['site_slots', 'run_slot_policies', 'site_limits']) await db.schema.dropTable(t).ifExists().execute();
  },
};

/** A run's waiting note: its workload system does not answer and its activities are being retried. */
const m0006: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('runs').addColumn('waiting', 'text', (c) => c.notNull().defaultTo('')).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('runs').dropColumn('waiting').execute();
  },
};

/**
 * Pilots (`tbps pilot`): executor workers started as batch jobs of a workload system. The CLI writes a row per
 * pilot when it submits, the pilot itself when it starts, drains, runs a job and ends, and `pilot list` refreshes
 * unfinished ones from the WMS by their WMS ids.
 */
const m0007: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('pilots')
      .ifNotExists()
      .addColumn('pilot_id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('wms', 'varchar(32)', (c) => c.notNull())
      .addColumn('wms_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('site', 'varchar(255)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('cpus', 'integer', (c) => c.notNull())
      .addColumn('memory_mb', 'integer', (c) => c.notNull())
      .addColumn('walltime_s', 'integer', (c) => c.notNull())
      .addColumn('submitted_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('started_at', 'varchar(32)')
      .addColumn('ended_at', 'varchar(32)')
      .addColumn('host', 'text')
      .addColumn('jobs_run', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('pilots_site').ifNotExists().on('pilots').columns(['site', 'state']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('pilots').ifExists().execute();
  },
};

/** All migrations by name; names sort in application order. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_watching': m0002,
  '0003_timeline': m0003,
  '0004_run_data_query': m0004,
  '0005_site_slots': m0005,
  '0006_run_waiting': m0006,
  '0007_pilots': m0007,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Applies pending migrations. With `ownTransaction` false the caller provides the cross-process lock and the
 * transaction (SQLite: its write transaction, see sqlite.ts); with true the Migrator runs them in its own
 * transaction under its own lock (PostgreSQL: transactional DDL and an advisory lock, see postgres.ts).
 */
export async function migrateToLatest(db: Kysely<any>, opts: { ownTransaction?: boolean } = {}): Promise<void> {
  const migrator = new Migrator({ db, provider, disableTransactions: !opts.ownTransaction });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const msg = error instanceof Error ? error.message : String(error);
    throw new Error(`store migration ${failed ?? ''} failed: ${msg}`.replace('  ', ' '));
  }
}
