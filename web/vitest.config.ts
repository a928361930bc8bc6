import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/** The client's unit and component tests (Node, fake-indexeddb, the real API in-process). */
export default defineConfig({
  resolve: {
    // The API runs in-process: graphql-yoga loads graphql's CJS build, so everything must (one GraphQLError class).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
