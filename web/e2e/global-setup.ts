import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../../api/test/databases.js';
// The API test harness reads the Postgres URL the api project's setup provides.
import type {} from '../../api/test/global-setup.js';
import { ApiProcess } from '../../api/test/http-client.js';
import { startPostgres } from '../../scripts/postgres.mjs';

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

const web = join(import.meta.dirname, '..');

/**
 * Builds the PWA (so the tests drive what `npm start` serves) into a folder of this run's own,
 * so a run beside it (another test run, the client bench) cannot swap the files under it;
 * starts a real Postgres and one real API process serving that build; stops both afterwards.
 */
export default async function setup(project: TestProject) {
  const dist = mkdtempSync(join(tmpdir(), 'mailboat-e2e-dist-'));
  execFileSync(
    process.execPath,
    [join(web, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir'],
    { cwd: web, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
  const postgres = await startPostgres();
  const databaseUrl = await createDatabase(postgres.url, 'mailboat_e2e');
  const api = await ApiProcess.start('e2e', databaseUrl, { WEB_DIST: dist });
  project.provide('appUrl', api.client.base);
  project.provide('databaseUrl', databaseUrl);
  project.provide('webDist', dist);
  return async () => {
    await api.stop();
    postgres.stop();
    rmSync(dist, { recursive: true, force: true });
  };
}
