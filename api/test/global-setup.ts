import type { TestProject } from 'vitest/node';
import { postgresServer } from './environment.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real Postgres server's URL; each test app makes its own database there. */
    postgresUrl: string;
  }
}

/** Starts one real Postgres for the whole run (or uses TEST_DATABASE_URL) and stops it afterwards. */
export default async function setup(project: TestProject) {
  const server = await postgresServer(process.env.TEST_DATABASE_URL);
  project.provide('postgresUrl', server.url);
  return server.stop;
}
