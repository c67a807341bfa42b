// Starts (when it is not running) the private PostgreSQL cluster of scripts/postgres.sh once for the whole test run
// and hands its URL to the PostgreSQL tier (tests/helpers/postgres.ts); each test file makes its own database there.
// When the server cannot start, the reason is handed over instead: the tests of that tier fail with it and the
// command that provisions PostgreSQL, the others run. The server is left running for the next run (scripts/test.sh
// and CI stop it when they started it).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'postgres.sh');

export default function setup({ provide }: { provide: (key: string, value: string) => void }): void {
  const run = (verb: string) => spawnSync('bash', [SCRIPT, verb], { encoding: 'utf8', timeout: 120_000 });
  const start = run('start');
  const url = start.status === 0 ? run('url') : undefined;
  if (start.status !== 0 || !url || url.status !== 0) {
    const said = `${start.stderr ?? ''}${url?.stderr ?? ''}`.trim().split('\n').at(-1) || `exit ${start.status ?? start.signal}`;
    provide('postgresUrl', '');
    provide('postgresProblem', `the PostgreSQL test server is not available (${said}): run 'bash scripts/setup-postgres.sh' (as root), then 'bash scripts/postgres.sh start'`);
    return;
  }
  provide('postgresUrl', url.stdout.trim());
  provide('postgresProblem', '');
}
