import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/postgres.mjs';

/** Helpers shared by the benchmarks (which run with tsx, outside vitest). */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0-100) of `values`. */
export const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? Number.NaN;

export type Api = { base: string; child: ChildProcess; dataDir: string };

/** Starts a real API process on `databaseUrl` (127.0.0.1, a free port) and waits until it is ready. */
export async function startApi(databaseUrl: string): Promise<Api> {
  const port = (await freePort()) as number;
  const dataDir = mkdtempSync(join(tmpdir(), 'mailboat-bench-'));
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret-0',
      PASSWORD_HASH_COST: '10',
      WRITES_PER_MINUTE: '1000000',
      AUTH_ATTEMPTS_PER_MINUTE: '1000000',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${base}/ready`).catch(() => undefined))?.status === 200) return { base, child, dataDir };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('API did not start');
}

/** A GraphQL request that throws on errors and returns data. */
export async function gql(base: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
