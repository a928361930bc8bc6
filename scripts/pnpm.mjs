#!/usr/bin/env node
// Runs the pinned pnpm (from package.json "packageManager") with the given arguments,
// fetching it through npm when it is not installed. Needs only Node and npm.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;

function installedPnpmVersion() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return r.status === 0 ? `pnpm@${r.stdout.trim()}` : null;
}

/** Runs pnpm with `args` in the repo root; returns its exit status. */
export function pnpm(args, options = {}) {
  const useInstalled = installedPnpmVersion() === pinned;
  const [cmd, cmdArgs] = useInstalled ? ['pnpm', args] : ['npm', ['exec', '--yes', `--package=${pinned}`, '--', 'pnpm', ...args]];
  const r = spawnSync(cmd, cmdArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, npm_config_update_notifier: 'false' },
    ...options,
  });
  return r.status ?? 1;
}

/** Installs the workspace's dependencies from the lockfile (a no-op when up to date). */
export function ensureDependencies() {
  const status = pnpm(['install', '--frozen-lockfile', '--prefer-offline']);
  if (status !== 0) throw new Error('pnpm install failed');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(pnpm(process.argv.slice(2)));
}
