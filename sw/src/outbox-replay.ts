/// <reference lib="webworker" />
import { type ReplayReport, replayOutbox } from '@mailboat/web/sync/replay';
import { REPLAY, REPLAY_TAG, REPLAYED } from '@mailboat/web/sync/replay-request';

declare const self: ServiceWorkerGlobalScope;

/** Chrome's Background Sync event (not in TypeScript's lib). */
type SyncEvent = ExtendableEvent & { tag: string; lastChance: boolean };

let running: Promise<ReplayReport> | null = null;

/**
 * Replays the app's outbox (web/src/sync/replay.ts), one replay at a time, and tells open
 * tabs when writes were delivered or refused. Rejects while writes remain that a later
 * replay can send, which makes the browser retry a Background Sync with backoff.
 */
async function replay(): Promise<void> {
  running ??= replayOutbox({
    baseUrl: self.location.origin,
    fetch: (input, init) => fetch(input, init),
    indexedDB: self.indexedDB,
  }).finally(() => {
    running = null;
  });
  const report = await running;
  if (report.delivered + report.refused > 0) {
    for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: REPLAYED, ...report });
  }
}

/**
 * Wires the replay to what wakes the worker: a Background Sync (Chrome, also with every tab
 * closed), a REPLAY message from the app, and, where Background Sync is missing (Safari,
 * Firefox), the worker's start and the `online` event.
 */
export function replayOutboxInBackground(): void {
  self.addEventListener('sync', (event) => {
    const sync = event as SyncEvent;
    if (sync.tag === REPLAY_TAG) sync.waitUntil(replay());
  });
  self.addEventListener('message', (event) => {
    if ((event.data as { type?: unknown } | null)?.type === REPLAY) event.waitUntil(replay().catch(() => {}));
  });
  if (!('sync' in self.registration)) {
    self.addEventListener('online', () => void replay().catch(() => {}));
    void replay().catch(() => {});
  }
}
