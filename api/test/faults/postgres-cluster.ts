import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBin, startPostgres } from '../../../scripts/postgres.mjs';

const run = promisify(execFile);

export type Cluster = Awaited<ReturnType<typeof startPostgres>> & {
  /** Restarts the server (`fast`: clean shutdown; `immediate`: no checkpoint, crash recovery on start); resolves once it accepts connections. */
  restart: (mode: 'fast' | 'immediate') => Promise<void>;
};

/**
 * A throwaway Postgres cluster of the test's own (scripts/postgres.mjs), so restarting it
 * disturbs no other test. `restart` runs pg_ctl asynchronously: the test's writers keep
 * running while the server goes down and comes back with its previous options.
 */
export async function startCluster(): Promise<Cluster> {
  const cluster = await startPostgres();
  const bin = findPostgresBin() as string;
  const restart = async (mode: 'fast' | 'immediate') => {
    const args = ['-D', join(cluster.dir, 'data'), '-l', join(cluster.dir, 'log'), '-m', mode, '-w', '-t', '60', 'restart'];
    const pgCtl = join(bin, 'pg_ctl');
    if (process.getuid?.() === 0) {
      const line = [pgCtl, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
      await run('su', ['postgres', '-s', '/bin/sh', '-c', line]);
    } else {
      await run(pgCtl, args);
    }
  };
  return { ...cluster, restart };
}
