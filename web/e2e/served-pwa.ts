import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, postgresServer } from '../../api/test/environment.js';
import { ApiProcess } from '../../api/test/http-client.js';

const web = join(import.meta.dirname, '..');

export type ServedPwa = {
  /** The origin of the API process that also serves the build. */
  appUrl: string;
  databaseUrl: string;
  /** The build's own folder. */
  dist: string;
  /** Stops the API process and Postgres (when it started one) and removes the build. */
  stop: () => Promise<void>;
};

/**
 * Builds the PWA (so it is what `npm start` serves) into a folder of its own, so a run beside
 * it (other browser tests, the client bench) cannot swap the files under it; then a new
 * database on Postgres (the server at `postgresUrl`, else a throwaway cluster) and one real API
 * process serving that build. `name` names the folders, the database and the process;
 * `viteArgs` go to `vite build`.
 */
export async function servePwa(name: string, o: { postgresUrl?: string; viteArgs?: string[] } = {}): Promise<ServedPwa> {
  const dist = mkdtempSync(join(tmpdir(), `mailboat-${name}-dist-`));
  execFileSync(
    process.execPath,
    [join(web, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir', ...(o.viteArgs ?? [])],
    { cwd: web, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
  const postgres = await postgresServer(o.postgresUrl);
  const databaseUrl = await createDatabase(postgres.url, `mailboat_${name}`);
  const api = await ApiProcess.start(name, databaseUrl, { WEB_DIST: dist });
  return {
    appUrl: api.client.base,
    databaseUrl,
    dist,
    stop: async () => {
      await api.stop();
      postgres.stop();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}
