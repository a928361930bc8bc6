import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../src/sync/push/group-commit.js';

/** The queue alone, with a fake flush: who is flushed with whom, and who fails when a batch fails. */

type Flush = (batch: string[]) => Promise<string[]>;

function committer(flush: Flush, options: { maxWeight?: number; concurrency?: number } = {}) {
  return new GroupCommitter(flush, {
    weight: () => 1,
    maxWeight: options.maxWeight ?? 100,
    concurrency: options.concurrency ?? 1,
    transient: (e) => (e as Error).message === 'serialization failure',
    retries: 2,
  });
}

const settled = (promises: Promise<string>[]) =>
  Promise.all(promises.map((p) => p.then((v) => `ok ${v}`).catch((e: Error) => `failed ${e.message}`)));

describe('group commit queue', () => {
  it('flushes requests that arrive while a flush runs together, in arrival order', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const firstBlocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const c = committer(async (batch) => {
      batches.push(batch);
      if (batches.length === 1) await firstBlocked;
      return batch.map((r) => r.toUpperCase());
    });
    const first = c.submit('a');
    await new Promise((resolve) => setImmediate(resolve));
    const rest = ['b', 'c', 'd'].map((r) => c.submit(r));
    release();
    expect(await settled([first, ...rest])).toEqual(['ok A', 'ok B', 'ok C', 'ok D']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('takes at most maxWeight per flush (but always at least one request)', async () => {
    const batches: string[][] = [];
    const c = committer(
      async (batch) => {
        batches.push(batch);
        return batch;
      },
      { maxWeight: 2 },
    );
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((r) => c.submit(r)));
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('splits a failing batch until the request that makes it fail fails alone', async () => {
    const batches: string[][] = [];
    const c = committer(async (batch) => {
      batches.push(batch);
      if (batch.includes('poison')) throw new Error('database error');
      return batch;
    });
    const results = await settled(['a', 'b', 'poison', 'c', 'd'].map((r) => c.submit(r)));
    expect(results).toEqual(['ok a', 'ok b', 'failed database error', 'ok c', 'ok d']);
    expect(
      batches
        .filter((b) => !b.includes('poison'))
        .flat()
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd']); // each flushed once
  });

  it('retries a batch after a transient error, then gives up', async () => {
    let calls = 0;
    const c = committer(async (batch) => {
      calls++;
      if (calls < 3) throw new Error('serialization failure');
      return batch;
    });
    expect(await c.submit('a')).toBe('a');
    expect(calls).toBe(3);
    const always = committer(async () => {
      throw new Error('serialization failure');
    });
    await expect(always.submit('b')).rejects.toThrow('serialization failure');
  });
});
