import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { testEnv } from '../test/environment.js';
import { ApiProcess } from '../test/http-client.js';

/** Helpers shared by the benchmarks (which run with tsx, outside vitest). */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (0-100) of `values`. */
export const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? Number.NaN;

/** Reads an environment knob (a number), with a default. */
export const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** Benchmark settings, in the API process or in-process: production mode, limits out of the way. */
export const benchEnv = (overrides: Record<string, string> = {}) =>
  testEnv({
    NODE_ENV: 'production',
    WRITES_PER_MINUTE: '1000000',
    AUTH_ATTEMPTS_PER_MINUTE: '1000000',
    MAX_BODY_BYTES: String(64 * 1024 * 1024),
    ...overrides,
  });

/**
 * Starts a real API process on `databaseUrl` (127.0.0.1, a free port) and waits until it is
 * ready; `stop(10_000)` gives it time to write its profile. With BENCH_PROFILE=<folder>, it
 * writes a V8 CPU profile there when it exits (read it with
 * `npx tsx bench/profile-summary.ts <folder>`); BENCH_API_STDERR=1 shows its stderr.
 */
export function startBenchApi(databaseUrl: string, name = 'bench'): Promise<ApiProcess> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  return ApiProcess.start(name, databaseUrl, benchEnv(), { nodeArgs: profile, showStderr: !!process.env.BENCH_API_STDERR });
}

/**
 * `run`, tried again (up to 3 times) when the connection fails before an answer
 * (`failedEarly`): a kept-alive socket the server has just closed. Only for requests that are
 * safe to repeat (pushes are: a pushed Yjs update pushed again is a DUPLICATE).
 */
async function retryingConnection<T>(run: () => Promise<T>, failedEarly: (e: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= 3 || !failedEarly(e)) throw e;
      await sleep(50 * attempt);
    }
  }
}

const fetchRetrying = (url: string, init: RequestInit): Promise<Response> =>
  retryingConnection(
    () => fetch(url, init),
    (e) => e instanceof TypeError,
  );

/** A GraphQL request that throws on errors and returns data. */
export async function gql(base: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const res = await fetchRetrying(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Resident memory of a process, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/**
 * A GraphQL request as a browser sends it (`Accept-Encoding: gzip`) that throws on errors.
 * Returns data, `wire`: the body's bytes as they crossed the network (compressed when the API
 * compressed them), and `bytes`: the body's bytes once decoded. node:http, because fetch
 * decodes bodies out of sight.
 */
export function gqlSized(
  base: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<{ data: any; wire: number; bytes: number }> {
  const payload = JSON.stringify({ query, variables });
  const socketClosed = (e: unknown) => ['ECONNRESET', 'EPIPE'].includes((e as { code?: string }).code ?? '');
  return retryingConnection(() => postSized(`${base}/graphql`, payload, token), socketClosed);
}

function postSized(url: string, payload: string, token: string): Promise<{ data: any; wire: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: keepAlive,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'accept-encoding': 'gzip',
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const raw = Buffer.concat(chunks);
            const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
            const body = JSON.parse(text);
            if (body.errors) throw new Error(JSON.stringify(body.errors));
            resolve({ data: body.data, wire: raw.length, bytes: Buffer.byteLength(text) });
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const keepAlive = new Agent({ keepAlive: true });

/** Runs `workers` loops of `op` for `seconds`; `op` returns how many units it did. */
export async function load(seconds: number, workers: number, op: (worker: number) => Promise<number>) {
  const latencies: number[] = [];
  let units = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const t = performance.now();
        const done = await op(w); // (`units += await …` would read units before the await and lose counts)
        units += done;
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: units / ((performance.now() - start) / 1000), p50: pct(latencies, 50), p99: pct(latencies, 99) };
}
