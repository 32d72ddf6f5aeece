import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native code runs in these tests: a crash takes down one worker process,
    // not the runner.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
