// Vitest config for running unit tests alone (no Temporal global setup), e.g.
//   npx vitest run -c tests/unit/vitest.unit.config.ts tests/unit/config.test.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  test: {
    pool: 'forks',
    include: ['tests/unit/**/*.test.ts'],
    // The PostgreSQL test server of the store's PostgreSQL tier (started when not running).
    globalSetup: ['tests/postgresSetup.ts'],
    testTimeout: 30_000,
  },
});
