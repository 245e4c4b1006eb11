import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // better-sqlite3 and sharp are native: separate processes keep them isolated per file.
    pool: 'forks',
  },
});
