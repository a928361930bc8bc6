import type { TestProject } from 'vitest/node';
// The API test harness reads the Postgres URL the api project's setup provides.
import type {} from '../../api/test/global-setup.js';
import { servePwa } from './served-pwa.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The origin of the API process that also serves the built PWA. */
    appUrl: string;
    /** The e2e database, for tests that start an API process of their own (other settings, other origin). */
    databaseUrl: string;
    /** The built PWA (this run's own folder); a test that "deploys" a new version copies it first. */
    webDist: string;
  }
}

/** The built PWA served by a real API process on a real Postgres, for the whole run (see servePwa); stopped afterwards. */
export default async function setup(project: TestProject) {
  const served = await servePwa('e2e');
  project.provide('appUrl', served.appUrl);
  project.provide('databaseUrl', served.databaseUrl);
  project.provide('webDist', served.dist);
  return served.stop;
}
