import * as Y from 'yjs';
import type { Api } from './api.js';
import { decodeBytes, encodeBytes } from './bytes.js';
import type { AccountDb } from './local-db.js';
import { SEGMENT_DIFFS, SEGMENTS } from './operations.js';
import { REMOTE } from './origins.js';
import { SegmentStore } from './segment-store.js';
import { inWorkerAccount, type WorkerAccountSkip, type WorkerApiOptions } from './worker-api.js';

export type CatchUpOptions = WorkerApiOptions & {
  indexedDB: IDBFactory;
  /** The conversation a push named (cnv_…). */
  conversationId: string;
};

/**
 * What a background catch-up did: SYNCED (the conversation's newest segment documents on the
 * device now hold what the server has), or why it did nothing: no account is signed in, the
 * conversation is not on the device or its history was never loaded here (the app loads it
 * when it opens), the refresh token is not a cookie (the app alone rotates a BODY token), or
 * the device was signed out.
 */
export type CatchUpResult = 'SYNCED' | 'NOT_HELD' | WorkerAccountSkip;

/**
 * The service worker's catch-up after a push, so the message is on the device when the app
 * opens (no spinner): brings the conversation's newest segment, and the newest one the device
 * already held, up to the server's state, with the same state-vector diff the app pulls
 * (diffs.ts), written through y-indexeddb into the very documents the app opens.
 *
 * It leaves the `changes` cursor and every record but the list of held segments alone, so an
 * app opened meanwhile (which syncs by itself) and this worker never disagree: whatever one
 * pulls, the other finds already applied. Meant for when no tab of the app is open. Rejects
 * (ClientError, e.g. NETWORK) when the server cannot be reached; nothing is lost then.
 */
export function catchUpInBackground(options: CatchUpOptions): Promise<CatchUpResult> {
  return inWorkerAccount(
    options,
    async (db) => ((await db.get('conversations', options.conversationId))?.loaded ? null : 'NOT_HELD'),
    async (api, db, userId) => {
      await pullNewest(options, api, db, userId);
      return 'SYNCED' as const;
    },
  );
}

async function pullNewest(options: CatchUpOptions, api: Api, db: AccountDb, userId: string): Promise<void> {
  const { conversationId } = options;
  const data = await api.query(SEGMENTS, { id: conversationId, first: 1, after: null });
  const newest = data.conversation?.segments.edges[0]?.node.number;
  if (newest === undefined) return; // left, or no history yet: the app sorts that out
  const held = (await db.getAllFromIndex('segments', 'byConversation', conversationId)).map((s) => s.segment);
  const numbers = [...new Set([newest, ...held.sort((a, b) => b - a).slice(0, 1)])];
  const store = new SegmentStore(options.indexedDB, userId, () => {});
  try {
    const docs = numbers.map((n) => store.open(conversationId, n));
    await Promise.all(docs.map((d) => d.loaded));
    const diffs = await api.query(SEGMENT_DIFFS, {
      segments: docs.map((d) => ({ conversationId, segment: d.segment, stateVector: encodeBytes(Y.encodeStateVector(d.doc)) })),
    });
    for (const diff of diffs.segmentDiffs) {
      const target = store.get(diff.conversationId, diff.segment);
      if (target) Y.applyUpdate(target.doc, decodeBytes(diff.update), REMOTE);
    }
    if (!held.includes(newest)) await db.put('segments', { conversationId, segment: newest });
  } finally {
    await store.close();
  }
}
