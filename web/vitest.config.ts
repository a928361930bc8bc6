import { defineConfig } from 'vitest/config';

/** The client's unit and component tests (Node, fake-indexeddb, the real API in-process). */
export default defineConfig({
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
