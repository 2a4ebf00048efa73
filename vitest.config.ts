import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI and pty tests run the compiled dist/: rebuild it (incrementally) when the sources changed
    globalSetup: ['test/build-dist.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
