// Test configuration: forked workers, one Temporal dev server for the whole run (tests/globalSetup.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/globalSetup.ts', 'tests/postgresSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
