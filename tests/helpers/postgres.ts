// The PostgreSQL tier's databases: one fresh database per test file (or per run of a test) on the shared test server
// of tests/postgresSetup.ts, dropped afterwards. Without that server every call fails with the command to provision it.
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test server's URL (its `tbps` database), '' when it is not available. */
    postgresUrl: string;
    /** Why it is not available and what to run; '' when it is. */
    postgresProblem: string;
  }
}

export interface TestDatabase {
  /** postgres://… of the new database. */
  url: string;
  drop(): Promise<void>;
}

/** The test server's URL; throws, naming the provisioning command, when there is none. */
export function postgresServerUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error(inject('postgresProblem') || "no PostgreSQL test server: run 'bash scripts/setup-postgres.sh' (as root)");
  return url;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A new, empty database named after `tag` (letters, digits, underscores), this process and the time. */
export async function createTestDatabase(tag: string): Promise<TestDatabase> {
  const name = `t_${tag}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await adminQuery(`create database ${name}`);
  const url = new URL(postgresServerUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}
