import { listMessages } from '@mailboat/schema';
import * as Y from 'yjs';
import type { SseReader } from '../harness.js';
import { EVENTS, type SyncDevice } from '../sync-device.js';
import type { SegmentRef } from './checks.js';
import { sleep } from './writers.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * A read-only device kept in sync the way the PWA does it: it subscribes to `events`, and
 * every time it (re)subscribes it catches up with segmentDiffs from its state vectors —
 * subscribe first, then pull, so nothing written in between is missed. When the server ends
 * its stream (EVENTS_INTERRUPTED, or the stream just ends), it does the same. `drop` cuts its
 * stream the way a lost connection does. It counts an update delivered twice on one stream.
 */
export class Listener {
  /** Streams opened (1 + reconnections). */
  subscriptions = 0;
  /** Streams the server ended. */
  endedByServer = 0;
  /** Updates delivered more than once on the same stream. */
  duplicatesOnStream = 0;
  events = 0;
  private stream: SseReader | undefined;
  private connecting: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly device: SyncDevice,
    /** The segments to catch up on (re)connecting. */
    private readonly segments: () => SegmentRef[],
  ) {}

  /** Subscribes, then catches up; resolves once caught up. */
  connect(): Promise<void> {
    this.connecting ??= this.subscribeAndCatchUp().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Cuts the stream (as a dropped connection would), stays away until `offline` resolves, then reconnects. */
  async drop(offline: () => Promise<void> = async () => undefined): Promise<void> {
    this.stream?.close();
    this.stream = undefined;
    await offline();
    await this.connect();
  }

  /** True when subscribed and caught up (not reconnecting). */
  get connected(): boolean {
    return this.stream !== undefined && this.connecting === undefined;
  }

  close(): void {
    this.stopped = true;
    this.stream?.close();
    this.stream = undefined;
  }

  /** True when every segment of this device equals `fresh`'s (same state vector, nothing pending). */
  matches(fresh: SyncDevice, segments: SegmentRef[]): boolean {
    return segments.every((s) => {
      const doc = this.device.doc(s.conversationId, s.segment);
      const expected = fresh.doc(s.conversationId, s.segment);
      return doc.store.pendingStructs === null && hex(Y.encodeStateVector(doc)) === hex(Y.encodeStateVector(expected));
    });
  }

  messageCount(segments: SegmentRef[]): number {
    return segments.reduce((n, s) => n + listMessages(this.device.doc(s.conversationId, s.segment)).length, 0);
  }

  private async subscribeAndCatchUp(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const stream = await this.device.client.subscribe(EVENTS, this.device.session.accessToken);
      this.stream = stream;
      this.subscriptions++;
      void this.pump(stream);
      try {
        await this.device.pull(this.segments());
        if (this.stream === stream) return;
        // cut or ended while catching up: subscribe and catch up again
      } catch {
        await sleep(50); // the server could not answer: subscribe and pull again
      }
    }
  }

  private async pump(stream: SseReader): Promise<void> {
    const seen = new Set<string>();
    while (this.stream === stream) {
      let message: Awaited<ReturnType<SseReader['next']>>;
      try {
        message = await stream.next(250);
      } catch {
        continue; // nothing arrived yet
      }
      if (this.stream !== stream) return; // dropped meanwhile
      const event = message.data?.data?.events;
      if (event?.__typename === 'SegmentUpdatedEvent') {
        const key = `${event.conversationId}:${event.segment}:${event.update}`;
        if (seen.has(key)) this.duplicatesOnStream++;
        seen.add(key);
        this.events++;
        this.device.receive(event.conversationId, event.segment, event.update);
      } else if (message.event === 'end' || message.event === 'complete' || message.data?.errors) {
        this.endedByServer++;
        this.stream = undefined;
        if (!this.stopped) void this.connect();
        return;
      }
    }
  }
}
