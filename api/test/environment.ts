import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startPostgres } from '../../scripts/postgres.mjs';
import { type App, createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { connectPostgres, type Db } from '../src/db/connect.js';

/**
 * The real app set up for tests and benchmarks, in one place: its settings, a Postgres server
 * and new databases on it, the app in-process with a data folder of its own, an HTTP listener
 * in front of it, and the teardown of each. Nothing here needs vitest, so the benchmarks (run
 * with tsx) use it too.
 */

/** Test settings: cheap password hashing and limits high enough not to get in the way. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123',
    PASSWORD_HASH_COST: '10',
    WRITES_PER_MINUTE: '100000',
    AUTH_ATTEMPTS_PER_MINUTE: '100000',
    REFUSED_REQUESTS_PER_MINUTE: '100000',
    ...overrides,
  };
}

/** A Postgres server: the one at `given` when set (a URL from the environment), else a throwaway cluster that `stop` removes. */
export async function postgresServer(given: string | undefined): Promise<{ url: string; stop: () => void }> {
  if (given) return { url: given, stop: () => {} };
  const cluster = await startPostgres();
  return { url: cluster.url, stop: cluster.stop };
}

/** Creates a new, empty database on the Postgres server at `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl: string, prefix = 'mailboat_test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = connectPostgres(serverUrl, 1);
  await sql`create database ${sql.id(name)}`.execute(admin);
  await admin.destroy();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export type RunningApp = App & { dataDir: string };

/**
 * Starts the real app in-process with the settings `env` (testEnv's, say) and a new data folder,
 * on `db` or, without it, on the database the settings name (as `npm start` would). `close`
 * stops the app and removes the folder.
 */
export async function startApp(env: Record<string, string>, db?: Db): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailboat-app-'));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const app = await createApp(loadConfig({ ...env, DATA_DIR: dataDir }), db);
    return {
      ...app,
      dataDir,
      close: async () => {
        await app.close();
        removeDataDir();
      },
    };
  } catch (e) {
    removeDataDir();
    throw e;
  }
}

/** Serves `app` on a real HTTP listener on 127.0.0.1, on a free port; `close` stops it. */
export async function listen(app: Pick<App, 'yoga'>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(app.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
