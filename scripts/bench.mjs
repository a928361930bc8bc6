// `npm run bench`: runs the benchmark suite (api/bench/run.ts) against a throwaway real Postgres
// and the real API process; writes bench-results/<time>.json and prints a summary table.
// Knobs are environment variables, listed in docs/performance.md.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensurePostgresInstalled } from './postgres.mjs';

if (!process.env.BENCH_DATABASE_URL) ensurePostgresInstalled();
const api = join(import.meta.dirname, '..', 'api');
const only = process.env.BENCH_ONLY?.split(',');
const server = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { cwd: api, stdio: 'inherit', env: process.env });
// Part 6, the client in headless Chromium (web/bench/client.ts), unless BENCH_ONLY leaves it out.
const client =
  !only || only.includes('client')
    ? spawnSync(process.execPath, ['--import', 'tsx', '../web/bench/client.ts'], { cwd: api, stdio: 'inherit', env: process.env })
    : { status: 0 };
// Part 7, notifications (api/bench/notifications.ts): commit to push request p50/p99, jobs/s of one node.
const notifications =
  !only || only.includes('notifications')
    ? spawnSync(process.execPath, ['--import', 'tsx', 'bench/notifications.ts'], { cwd: api, stdio: 'inherit', env: process.env })
    : { status: 0 };
// Part 8, photos and files (api/bench/attachments.ts): send to visible of a 3 MB photo, upload MiB/s, bytes stored per photo.
const attachments =
  !only || only.includes('attachments')
    ? spawnSync(process.execPath, ['--import', 'tsx', 'bench/attachments.ts'], { cwd: api, stdio: 'inherit', env: process.env })
    : { status: 0 };
process.exit(server.status || client.status || notifications.status || attachments.status || 0);
