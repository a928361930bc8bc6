import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src/app.js';
import { TestClient, useTestApp } from '../harness.js';
import { SyncDevice } from '../sync-device.js';
import { crew } from './setup.js';

const ROUNDS = 8;

/**
 * A race the fault tests' writers ran into at start-up (fixed in push-repository.ts
 * lockMemberSegments; this keeps it fixed): two API nodes on one Postgres (each
 * with its own group committer) take the first writes of a brand-new segment at the same
 * moment. Both transactions create the segment row; whichever loses the insert must still
 * find and lock it. Every write of a member must be ACCEPTED: a refusal is final for a device
 * (its outbox moves the write aside), so a member's message would be lost.
 *
 * Real Postgres only: PGlite runs one transaction at a time, so nothing can race there.
 */
describe('first writes to a new segment through two nodes at once (postgres)', () => {
  const app = useTestApp('postgres');

  it('accepts every member write, whichever node creates the segment', async () => {
    const { client, deps } = app();
    const other = await createApp(deps.config, deps.db); // a second node on the same database
    onTestFinished(() => other.stop()); // the database is the first node's to close
    const clients = [client, new TestClient(other)];
    const statuses: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const group = await crew(client, 2, 1, 1);
      const devices = group.sessions.map((s, i) => new SyncDevice(clients[i % 2] as TestClient, s));
      for (const d of devices) d.send(group.conversationIds[0] as string, `first write of round ${round}`);
      const results = await Promise.all(devices.map((d) => d.push()));
      statuses.push(...results.flat().map((r) => (r.error ? `${r.status} ${r.error.code}` : r.status)));
    }
    expect(statuses).toEqual(Array.from({ length: 2 * ROUNDS }, () => 'ACCEPTED'));
  });
});
