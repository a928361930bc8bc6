import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the built PWA in real headless Chromium against a real API process on a real
 * Postgres. One file at a time (each drives several browser profiles on two cores).
 */
export default defineConfig({
  test: {
    name: 'e2e',
    root: import.meta.dirname,
    include: ['*.test.ts'],
    globalSetup: ['global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
