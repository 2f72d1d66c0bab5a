import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // one test file per core: vitest's default in run mode is one fewer, which on CI's two cores ran the 269 files one
    // after another (800 s) while much of each file's time is spent waiting on the processes it spawns
    maxWorkers: availableParallelism(),
    globalSetup: ['test/global-setup.ts'],
  },
});
