// Which store `tbps server start` and later commands use: --db (kept in the data directory, 0600), TBPS_DB before a
// kept choice, `--db default` back to the data directory's SQLite file; a store that cannot be opened is a usage
// error (exit 2) naming --db, with the password hidden.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStore, chooseStore, shownStore } from '../../client/services/serverStore.js';
import { exitCodeFor } from '../../client/exit.js';
import { storeLocation } from '../../paths/index.js';

let home: string;
const saved = { home: process.env.TBPS_HOME, db: process.env.TBPS_DB };

beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'tbps-server-store-'));
  process.env.TBPS_HOME = home;
  delete process.env.TBPS_DB;
});

afterEach(() => {
  for (const [key, value] of [['TBPS_HOME', saved.home], ['TBPS_DB', saved.db]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(home, { recursive: true, force: true });
});

describe('the store of a data directory', () => {
  it('--db is kept (0600) for later commands; TBPS_DB comes first; --db default goes back to the SQLite file', () => {
    const sqliteDefault = path.join(home, 'tbps.sqlite');
    expect(storeLocation()).toBe(sqliteDefault);
    const url = 'postgres://tbps:pw@db.example:5432/tbps';
    const chosen = chooseStore(url);
    expect(chosen.location).toBe(url);
    expect(storeLocation()).toBe(sqliteDefault); // not before save()
    chosen.save();
    expect(storeLocation()).toBe(url);
    expect(statSync(path.join(home, 'store-location')).mode & 0o777).toBe(0o600);
    expect(chooseStore(undefined).location).toBe(url);
    process.env.TBPS_DB = '/elsewhere/runs.sqlite';
    expect(chooseStore(undefined).location).toBe('/elsewhere/runs.sqlite');
    delete process.env.TBPS_DB;
    const back = chooseStore('default');
    expect(back.location).toBe(sqliteDefault);
    back.save();
    expect(storeLocation()).toBe(sqliteDefault);
    expect(shownStore(url)).toBe('postgres://tbps:***@db.example:5432/tbps (PostgreSQL)');
  });

  it('a store that cannot be opened: a usage error (exit 2) naming --db, password hidden', async () => {
    const err = await checkStore(chooseStore('postgres://tbps:hush-hush@127.0.0.1:1/tbps'), '--db').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^--db: cannot open the PostgreSQL store postgres:\/\/tbps:\*\*\*@127\.0\.0\.1:1\/tbps: connection refused/);
    expect((err as Error).message).not.toContain('hush-hush');
    expect(exitCodeFor(err)).toBe(2);
    expect(() => chooseStore(' ')).toThrow(/--db: expected a SQLite file/);
  });
});
