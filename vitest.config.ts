import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native code runs in these tests: a crash takes down one worker process,
    // not the runner.
    pool: 'forks',
    // --expose-gc: tests check that native arrays are released when collected.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
