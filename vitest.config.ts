import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['api', 'schema', 'web', 'web/e2e', 'checks'],
    // Two cores: two test files at a time, each in its own process (PGlite needs ~1 GB at peak).
    pool: 'forks',
    maxWorkers: 2,
  },
});
