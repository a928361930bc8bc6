import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { deleteDatabase, segmentDbName, withFactory } from './local-db.js';
import { MessageIndex } from './message-index.js';
import { listenOutsideLoads } from './quiet-loads.js';

/** One held segment: its live document and the y-indexeddb persistence that keeps it. */
export type HeldDoc = {
  conversationId: string;
  segment: number;
  doc: Y.Doc;
  persistence: IndexeddbPersistence;
  /** The document's complete messages, kept up to date from its events. */
  index: MessageIndex;
  /** Resolves once what IndexedDB held has been applied to `doc`. */
  loaded: Promise<void>;
};

/**
 * Told about every update to any held document (after it is applied). `update` is null for
 * what y-indexeddb loaded from IndexedDB: loads are not encoded (see quiet-loads.ts).
 */
export type DocListener = (held: HeldDoc, update: Uint8Array | null, origin: unknown) => void;

const keyOf = (conversationId: string, segment: number) => `${conversationId}#${segment}`;

/**
 * The device's segment documents: one Y.Doc per (conversation, segment), each persisted by
 * y-indexeddb in its own database. `open` is synchronous, so a write can land in a document
 * that is still loading from IndexedDB (Yjs merges the two).
 */
export class SegmentStore {
  private readonly docs = new Map<string, HeldDoc>();
  /** Every database name opened by this store (to wipe even what was opened during a wipe). */
  private readonly opened = new Set<string>();
  private sealed = false;

  constructor(
    private readonly factory: IDBFactory,
    private readonly userId: string,
    private readonly listener: DocListener,
  ) {}

  get(conversationId: string, segment: number): HeldDoc | undefined {
    return this.docs.get(keyOf(conversationId, segment));
  }

  /** The held segments of a conversation, oldest first. */
  ofConversation(conversationId: string): HeldDoc[] {
    return [...this.docs.values()].filter((h) => h.conversationId === conversationId).sort((a, b) => a.segment - b.segment);
  }

  all(): HeldDoc[] {
    return [...this.docs.values()];
  }

  /**
   * The held document, opened (and loading from IndexedDB) if it was not open yet. Throws
   * once the store is closing: a closed account must not create databases again.
   */
  open(conversationId: string, segment: number, doc: Y.Doc = new Y.Doc()): HeldDoc {
    const existing = this.get(conversationId, segment);
    if (existing) return existing;
    if (this.sealed) throw new Error('Mailboat: this account is closed');
    const name = segmentDbName(this.userId, conversationId, segment);
    this.opened.add(name);
    const persistence = withFactory(this.factory, () => new IndexeddbPersistence(name, doc));
    const index = new MessageIndex(doc);
    const held: HeldDoc = { conversationId, segment, doc, persistence, index, loaded: persistence.whenSynced.then(() => undefined) };
    listenOutsideLoads(doc, persistence, (update, origin) => this.listener(held, update, origin));
    this.docs.set(keyOf(conversationId, segment), held);
    return held;
  }

  /**
   * Replaces a held document with `doc` (a rebuilt state), replacing what IndexedDB held for
   * it too. Resolves once the new state is being persisted.
   */
  async replace(conversationId: string, segment: number, doc: Y.Doc): Promise<HeldDoc> {
    if (this.sealed) throw new Error('Mailboat: this account is closed');
    await this.drop(conversationId, segment);
    const held = this.open(conversationId, segment, doc);
    await held.loaded;
    return held;
  }

  /** Closes a held document and deletes its IndexedDB database. */
  async drop(conversationId: string, segment: number): Promise<void> {
    const held = this.get(conversationId, segment);
    this.docs.delete(keyOf(conversationId, segment));
    if (held) {
      await held.loaded;
      await held.persistence.destroy();
      held.doc.destroy();
    }
    await deleteDatabase(this.factory, segmentDbName(this.userId, conversationId, segment));
  }

  /** The names of every segment database this store opened. */
  openedNames(): string[] {
    return [...this.opened];
  }

  /**
   * Closes every document (no more can be opened); their data stays in IndexedDB. Waits until each has finished
   * loading: y-indexeddb stores what was written before it opened only then.
   */
  async close(): Promise<void> {
    this.sealed = true;
    const all = [...this.docs.values()];
    this.docs.clear();
    await Promise.all(all.map((h) => h.loaded));
    await Promise.all(all.map((h) => h.persistence.destroy()));
    for (const h of all) h.doc.destroy();
  }
}
