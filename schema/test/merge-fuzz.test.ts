import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentOf } from '../src/index.js';
import { anyCommand, FuzzWorld, honestCommand, hostileCommand } from './fuzz-world.js';
import { contentOf, expectInvariant, ServerSim } from './server-sim.js';

// The invariant of the push path, as a property: whatever sequence of updates the server
// accepts, the live document, the document rebuilt from the stored log and the compacted
// snapshot are identical, every entry of the messages map is a valid message, honest devices
// are never refused for delivering in order (however they merge, split, re-encode or re-send),
// and end up holding exactly what the server holds. FUZZ_RUNS=n runs n cases per property.

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const NOW = Date.UTC(2026, 11, 7, 9, 30);
const USERS = { ana: 'usr_0000000000000000000000000000000a', bo: 'usr_0000000000000000000000000000000b', mal: 'usr_m' };

function fresh(): { server: ServerSim; world: FuzzWorld } {
  const server = new ServerSim({ segment: segmentOf(NOW), now: NOW });
  return { server, world: new FuzzWorld(server, USERS, NOW - 60_000) };
}

/** Plays `commands`, then delivers everything and syncs every device, and checks the invariant (a divergence stays). */
function check(world: FuzzWorld, server: ServerSim, commands: Parameters<FuzzWorld['run']>[0]): void {
  world.run(commands);
  world.settle();
  expectInvariant(server);
  for (const who of ['ana', 'bo'] as const) expect(contentOf(world.devices[who].doc), who).toEqual(contentOf(server.doc));
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const summary = (map: Map<string, number>) =>
  [...map]
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

/** Cases the properties below once failed on, replayed on every run (each with what it found). */
const FOUND: { why: string; commands: Parameters<FuzzWorld['run']>[0] }[] = [
  {
    why: 'a prefix cut inside an emoji of a v1 text: Yjs wrote each half as U+FFFD on the server while the device kept the emoji (only Mallory cuts inside a transaction now, and only she parts)',
    commands: [
      { t: 'create', who: 1, v1: true, text: 'z', reply: 0 },
      { t: 'edit', who: 1, pick: 0, text: 'a🙂a🙂az' },
      { t: 'push', who: 1, how: 'first', pick: 0, cut: 0 },
      { t: 'delete', who: 0, pick: 0 },
      { t: 'push', who: 0, how: 'all', pick: 0, cut: 0 },
      { t: 'push', who: 1, how: 'prefix', pick: 0, cut: 864 },
      { t: 'edit', who: 0, pick: 0, text: 'z' },
      { t: 'sync', who: 0 },
      { t: 'push', who: 0, how: 'all', pick: 0, cut: 0 },
      { t: 'push', who: 1, how: 'all', pick: 0, cut: 0 },
      { t: 'create', who: 2, v1: true, text: 'z', reply: 0 },
      { t: 'edit', who: 2, pick: 1, text: 'a🙂a🙂az' },
      { t: 'push', who: 2, how: 'first', pick: 0, cut: 0 },
      { t: 'push', who: 2, how: 'prefix', pick: 0, cut: 864 },
      { t: 'push', who: 2, how: 'tail', pick: 0, cut: 1 },
    ],
  },
  {
    why: 'a prefix cut inside a creation: the server took the message without its replyTo, and refused the rest of the transaction as a change of replyTo',
    commands: [
      { t: 'create', who: 1, v1: false, text: 'z', reply: 0 },
      { t: 'push', who: 1, how: 'all', pick: 0, cut: 0 },
      { t: 'create', who: 1, v1: true, text: 'aaaaaaaz', reply: 0 },
      { t: 'create', who: 2, v1: true, text: 'aaaaaaaz', reply: 0 },
      { t: 'delete', who: 0, pick: 0 },
      { t: 'push', who: 0, how: 'all', pick: 0, cut: 0 },
      { t: 'push', who: 2, how: 'prefix', pick: 0, cut: 793 },
      { t: 'sync', who: 0 },
      { t: 'push', who: 1, how: 'prefix', pick: 0, cut: 793 },
      { t: 'push', who: 2, how: 'all', pick: 0, cut: 0 },
    ],
  },
];

describe('the push path keeps live, rebuilt and compacted documents identical', () => {
  it.each(FOUND)('in the cases found before ($why)', ({ commands }) => {
    const { server, world } = fresh();
    check(world, server, commands);
  });

  it('under honest deliveries of every kind, interleaved with hostile updates', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(anyCommand, { minLength: 10, maxLength: 50 }), (commands) => {
        const { server, world } = fresh();
        check(world, server, commands);
        for (const p of world.transcript) count(outcomes, `${p.source} ${p.outcome}`);
      }),
      { numRuns: RUNS },
    );
    console.log(`[merge-fuzz] outcomes over ${RUNS} cases: ${summary(outcomes)}`);
  }, 600_000);

  it('under a stream of hostile updates against a busy conversation', () => {
    const busy = fresh();
    const prelude = fc.sample(fc.array(honestCommand, { minLength: 80, maxLength: 80 }), { seed: 42, numRuns: 1 })[0] ?? [];
    busy.world.run(prelude);
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(hostileCommand, { minLength: 1, maxLength: 25 }), (attacks) => {
        const world = busy.world.fork();
        check(world, world.server, attacks);
        for (const p of world.transcript) count(outcomes, `${p.source} ${p.outcome}`);
      }),
      { numRuns: RUNS },
    );
    console.log(`[merge-fuzz] hostile outcomes over ${RUNS} cases: ${summary(outcomes)}`);
  }, 600_000);
});
