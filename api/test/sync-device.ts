import { createMessage, deleteMessage, editMessage, listMessages, nextVersionAt, segmentOf, setReaction } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import type { Session, SseReader, TestClient } from './harness.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export const PUSH = `mutation($updates: [SegmentUpdateInput!]!) {
  pushUpdates(updates: $updates) { results { conversationId segment status error { code message stateVector } } }
}`;
export const DIFFS = `query($segments: [SegmentStateInput!]!) {
  segmentDiffs(segments: $segments) { conversationId segment update stateVector }
}`;

export const EVENTS = `subscription { events { __typename ... on SegmentUpdatedEvent { conversationId segment update } } }`;

export type Pending = { conversationId: string; segment: number; update: Uint8Array };

/**
 * A simulated device: real Yjs documents per (conversation, segment), local writes queued in
 * an outbox, pushed and pulled through the real GraphQL API.
 */
export class SyncDevice {
  readonly docs = new Map<string, Y.Doc>();
  outbox: Pending[] = [];

  /** Replace it to talk to another API node (the event stream stays where it was opened). */
  constructor(
    public client: TestClient,
    readonly session: Session,
  ) {}

  doc(conversationId: string, segment: number): Y.Doc {
    const key = `${conversationId}:${segment}`;
    let doc = this.docs.get(key);
    if (!doc) {
      doc = new Y.Doc();
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === 'local') this.outbox.push({ conversationId, segment, update });
      });
      this.docs.set(key, doc);
    }
    return doc;
  }

  /** Writes a new message locally (queued in the outbox); returns its id and segment. */
  send(conversationId: string, text: string, createdAt = Date.now()): { id: string; segment: number } {
    const id = uuidv7();
    const segment = segmentOf(createdAt);
    createMessage(this.doc(conversationId, segment), { id, author: this.session.userId, createdAt, text }, 'local');
    return { id, segment };
  }

  /**
   * Edits as the app does: a new version of the whole text, `at` from this device's clock
   * (`now`) but later than the text it shows. Returns the version's `at`.
   */
  edit(conversationId: string, segment: number, id: string, text: string, now = Date.now()): number {
    const doc = this.doc(conversationId, segment);
    const at = nextVersionAt(doc, id, now);
    editMessage(doc, id, text, at, uuidv7(), 'local');
    return at;
  }

  delete(conversationId: string, segment: number, id: string) {
    deleteMessage(this.doc(conversationId, segment), id, 'local');
  }

  react(conversationId: string, segment: number, id: string, emoji: string | null) {
    setReaction(this.doc(conversationId, segment), id, this.session.userId, emoji, 'local');
  }

  messages(conversationId: string, segment: number) {
    return listMessages(this.doc(conversationId, segment));
  }

  /** Pushes `updates` (default: the whole outbox, taken out of it) and returns the per-update results. */
  async push(updates?: Pending[]): Promise<any[]> {
    const fromOutbox = !updates;
    const batch = updates ?? this.outbox;
    if (fromOutbox) this.outbox = []; // whatever is written while this push is in flight stays queued
    const data = await this.client
      .ok(
        PUSH,
        { updates: batch.map((u) => ({ conversationId: u.conversationId, segment: u.segment, update: b64(u.update) })) },
        this.session.accessToken,
      )
      .catch((e: unknown) => {
        if (fromOutbox) this.outbox.unshift(...batch); // not acknowledged: keep it for the next push
        throw e;
      });
    return data.pushUpdates.results;
  }

  /** Fetches and applies what this device lacks of the given segments; returns the diffs' sizes. */
  async pull(segments: { conversationId: string; segment: number }[]): Promise<number[]> {
    const data = await this.client.ok(
      DIFFS,
      {
        segments: segments.map((s) => ({
          conversationId: s.conversationId,
          segment: s.segment,
          stateVector: b64(Y.encodeStateVector(this.doc(s.conversationId, s.segment))),
        })),
      },
      this.session.accessToken,
    );
    return data.segmentDiffs.map((d: any) => {
      const update = fromB64(d.update);
      Y.applyUpdate(this.doc(d.conversationId, d.segment), update, 'remote');
      return update.byteLength;
    });
  }

  /** Opens this device's event stream (SSE); `applyEvents` applies what has arrived. */
  async listen(): Promise<void> {
    this.events?.close();
    this.events = await this.client.subscribe(EVENTS, this.session.accessToken);
  }

  /** Closes the event stream (the device goes offline); events sent meanwhile are lost to it. */
  stopListening(): void {
    this.events?.close();
    this.events = undefined;
  }

  /** Applies every segment update the event stream has delivered so far, without waiting; returns how many. */
  async applyEvents(): Promise<number> {
    const events = this.events;
    if (!events) return 0;
    let applied = 0;
    for (;;) {
      let message: Awaited<ReturnType<SseReader['next']>>;
      try {
        message = await events.next(1);
      } catch {
        return applied; // nothing more queued
      }
      if (message.event === 'end') return applied;
      const e = message.data?.data?.events;
      if (e?.__typename === 'SegmentUpdatedEvent') {
        this.receive(e.conversationId, e.segment, e.update);
        applied++;
      }
    }
  }

  private events: SseReader | undefined;

  /** Applies an update received from the server (a subscription event). */
  receive(conversationId: string, segment: number, update: string | Uint8Array) {
    Y.applyUpdate(this.doc(conversationId, segment), typeof update === 'string' ? fromB64(update) : update, 'remote');
  }
}

export { b64, fromB64 };
