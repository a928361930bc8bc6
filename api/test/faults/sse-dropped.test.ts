import { segmentOf } from '@mailboat/schema';
import { describe, expect, it } from 'vitest';
import { backends, useTestApp } from '../harness.js';
import { SyncDevice } from '../sync-device.js';
import { expectConverged, expectStoredOnce, segmentsOf } from './checks.js';
import { Listener } from './listener.js';
import { crew, FAULT_ENV, faultSeed, writersFor } from './setup.js';
import { prng, totals, waitFor, whileWriting } from './writers.js';

const DROPS = 10;

/**
 * Fault 3: event streams cut during bursts of writes. Six devices write in bursts while three
 * listening devices follow by events only; between bursts a listener's stream is cut (as a
 * lost connection would), and now and then the server ends every stream itself
 * (EVENTS_INTERRUPTED, as after its fan-out listener was lost). Each listener resubscribes and
 * catches up with segmentDiffs. Once the writers stop, the events alone bring every listener
 * to the server's documents (no final pull): nothing missing, no update twice on a stream,
 * every acknowledged write stored once.
 */
describe.each(backends)('event streams dropped during bursts on %s', (backend) => {
  const app = useTestApp(backend, FAULT_ENV);

  it('every listener resubscribes, catches up and converges; nothing missing, nothing duplicated', async () => {
    const { client, deps } = app();
    const seed = faultSeed(`sse-dropped/${backend}`, 20261103);
    const random = prng(seed ^ 0x5eed);
    const group = await crew(client, 3, 2, 2);
    const people = group.sessions.slice(0, 3);
    const started = Date.now();
    const segments = () =>
      group.conversationIds.flatMap((conversationId) =>
        [...new Set([segmentOf(started), segmentOf(Date.now())])].map((segment) => ({ conversationId, segment })),
      );
    const listeners = await Promise.all(
      people.map(async (p) => new Listener(new SyncDevice(client, await client.signIn(p.handle, p.password, 'Listener')), segments)),
    );
    await Promise.all(listeners.map((l) => l.connect()));
    const writers = writersFor(group, seed, () => client, { maxPerPush: 5, pauseMs: 10, editChance: 0.1 });
    const acked = () => totals(writers).acknowledged;
    let serverEnds = 0;

    try {
      await whileWriting(writers, async () => {
        for (let drop = 1; drop <= DROPS; drop++) {
          const before = acked();
          await waitFor('a burst of writes', () => acked() >= before + 8);
          if (drop % 5 === 0) {
            await waitFor('every listener connected', () => listeners.every((l) => l.connected));
            deps.pubsub.publish('node', { kind: 'eventsInterrupted' }); // the server ends every stream
            serverEnds++;
          } else {
            // Cut mid-burst, and away long enough to miss some events.
            const away = acked();
            await listeners[Math.floor(random() * listeners.length)]?.drop(() => waitFor('writes while away', () => acked() >= away + 3));
          }
        }
      });
      const written = segmentsOf(writers);
      const fresh = new SyncDevice(client, people[0]!);
      await fresh.pull(written);
      await waitFor(
        'the listeners to reconnect and catch up by events alone',
        () => listeners.every((l) => l.connected && l.matches(fresh, written)),
        20_000,
      );

      const stats = listeners.map((l) => ({ subscriptions: l.subscriptions, endedByServer: l.endedByServer, events: l.events }));
      console.info(`[faults] sse-dropped/${backend}: ${JSON.stringify(totals(writers))}; listeners ${JSON.stringify(stats)}`);
      expect(listeners.map((l) => l.duplicatesOnStream)).toEqual([0, 0, 0]);
      // Events were missed while away: catching up with segmentDiffs was needed.
      expect(listeners.some((l) => l.events < totals(writers).accepted)).toBe(true);
      for (const l of listeners) expect(l.endedByServer).toBe(serverEnds);
      for (const l of listeners) expect(l.subscriptions).toBeGreaterThan(serverEnds); // a drop during a reconnection makes one

      const onServer = await expectConverged({ fresh, devices: listeners.map((l) => l.device), writers, pullDevices: false });
      await expectConverged({ fresh, devices: writers.map((w) => w.device), writers });
      await expectStoredOnce(deps.db, fresh, writers, onServer);
    } finally {
      for (const l of listeners) l.close();
    }
  }, 60_000);
});
