// Starting and stopping a throwaway Postgres cluster for tests and benchmarks (no I/O at import).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bin folder of the newest installed Postgres server, or undefined. */
export function findPostgresBin() {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : undefined;
  return dir && existsSync(join(dir, 'initdb')) ? dir : undefined;
}

/** Installs Debian's Postgres server when none is installed (needs root). */
export function ensurePostgresInstalled() {
  if (findPostgresBin()) return;
  aptInstall(['postgresql']);
  if (!findPostgresBin()) throw new Error('Postgres is not installed and could not be installed (apt-get install postgresql)');
}

/** Installs Debian packages, running apt-get update first. Needs root. */
export function aptInstall(packages) {
  if (process.getuid?.() !== 0) throw new Error(`Please install ${packages.join(', ')} (needs root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a fresh cluster in a temp folder on 127.0.0.1 and a free port (as the `postgres`
 * user when run as root, since initdb refuses root). Returns its URL and a stop function
 * that removes everything.
 */
export async function startPostgres() {
  const bin = findPostgresBin();
  if (!bin) throw new Error('No Postgres server binaries found; run `npm test`, which installs them');
  const dir = mkdtempSync(join(tmpdir(), 'mailboat-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, args) => {
    if (asRoot) {
      const line = [join(bin, cmd), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
      execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', line], { stdio: 'pipe' });
    } else {
      execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
    }
  };
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=300 -c fsync=on`;
  run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', options, 'start']);
  const stop = () => {
    try {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dir, stop };
}
