import { expect } from 'vitest';
import * as Y from 'yjs';
import { applyChecked, IntegrationFailedError } from '../src/doc/apply.js';
import { type CheckOptions, checkUpdate, listMessages, messagesOf, readMessage, UpdateRefusedError } from '../src/index.js';

/**
 * The server's push path at the schema level: an update is checked against the live document,
 * applied through applyChecked, and its canonical update appended to the log. A refused one
 * changes nothing; when applyChecked fails the live document is rebuilt from the log (as the
 * API rebuilds it from the database).
 */
export class ServerSim {
  doc = new Y.Doc({ gc: true });
  readonly log: Uint8Array[] = [];
  /** Yjs client -> user, as the server binds them. */
  readonly owners = new Map<number, string>();
  /** The message of the last refusal (for failure reports). */
  lastRefusal = '';

  constructor(readonly options: CheckOptions) {}

  /**
   * 'accepted', 'duplicate', the refusal's code ('FORBIDDEN_UPDATE:reply' for a reply to a message
   * the conversation lacks), or 'INTEGRATION_FAILED' when the rules accepted
   * it but Yjs did something else (applyChecked refused it: the rules' model is wrong).
   */
  push(userId: string, update: Uint8Array): string {
    try {
      const result = checkUpdate(
        this.doc,
        update,
        { userId, mayUseClient: (c) => (this.owners.get(c) ?? userId) === userId },
        this.options,
      );
      if (!result.changes) return 'duplicate';
      // The API also checks that a reply names a message of the conversation (here: this one document).
      for (const target of result.replies.values()) {
        if (!messagesOf(this.doc).has(target) && !result.created.has(target)) return 'FORBIDDEN_UPDATE:reply';
      }
      let canonical: Uint8Array | null;
      try {
        canonical = applyChecked(this.doc, update, result);
      } catch (e) {
        this.doc = rebuild(this.log);
        if (e instanceof IntegrationFailedError) return 'INTEGRATION_FAILED';
        throw e;
      }
      if (canonical === null) return 'duplicate';
      for (const c of result.clients) this.owners.set(c, userId);
      this.log.push(canonical);
      return 'accepted';
    } catch (e) {
      if (e instanceof UpdateRefusedError) {
        this.lastRefusal = e.message;
        return e.code;
      }
      throw e;
    }
  }

  /** A copy: the same log, owners and document. */
  fork(): ServerSim {
    const copy = new ServerSim(this.options);
    copy.log.push(...this.log);
    for (const [c, u] of this.owners) copy.owners.set(c, u);
    copy.doc = rebuild([Y.encodeStateAsUpdate(this.doc)]);
    return copy;
  }

  /** The document a fresh process builds from the log. */
  rebuilt(): Y.Doc {
    return rebuild(this.log);
  }
}

export function rebuild(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc({ gc: true });
  doc.transact(() => {
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

/** What a document holds, for comparisons: its state vector, its messages, and everything in it as JSON. */
export function contentOf(doc: Y.Doc) {
  return {
    stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('hex'),
    messages: listMessages(doc),
    json: stableJson(messagesOf(doc).toJSON()),
    roots: [...doc.share.keys()].filter((k) => doc.share.get(k)?._start || doc.share.get(k)?._map.size),
    pending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null,
  };
}

/**
 * The invariant: the live document, the document rebuilt from the stored log, and the
 * snapshots compaction would write (from the live document, and from the log merged) hold
 * the same; every entry of the messages map is a valid message.
 */
export function expectInvariant(server: ServerSim): void {
  const live = contentOf(server.doc);
  expect(live.pending).toBe(false);
  const expected = JSON.stringify(live);
  const others = [
    ['rebuilt from the log', server.rebuilt()],
    ['loaded from a snapshot of the live document', rebuild([Y.encodeStateAsUpdate(server.doc)])],
    ...(server.log.length > 0 ? [['loaded from the log merged', rebuild([Y.mergeUpdates(server.log)])] as const] : []),
  ] as const;
  for (const [what, doc] of others) {
    const content = contentOf(doc);
    if (JSON.stringify(content) !== expected) expect(content, what).toEqual(live); // compared as strings first: fast
  }
  for (const [key, entry] of messagesOf(server.doc).entries()) {
    if (readMessage(entry)?.id !== key) expect.fail(`entry ${key} of the messages map is not a valid message`);
  }
}

/**
 * What plain Yjs does with `update` on a copy of `doc` (the server before these rules):
 * 'throws', 'pending', 'diverges' (the copy, and a document loaded from the copy's encoding,
 * disagree), or 'consistent'.
 */
export function plainYjs(doc: Y.Doc, update: Uint8Array): 'throws' | 'pending' | 'diverges' | 'consistent' {
  const live = rebuild([Y.encodeStateAsUpdate(doc)]);
  try {
    Y.applyUpdate(live, update);
  } catch {
    return 'throws';
  }
  if (live.store.pendingStructs || live.store.pendingDs) return 'pending';
  const reloaded = rebuild([Y.encodeStateAsUpdate(live)]);
  return stableJson(messagesOf(live).toJSON()) === stableJson(messagesOf(reloaded).toJSON()) ? 'consistent' : 'diverges';
}

/** JSON with object keys sorted (a map's key order follows the order its entries arrived in). */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
