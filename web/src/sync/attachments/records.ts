import type { AttachmentVariant, ClientErrorCode } from '../../app/model.js';

/**
 * The attachment records the device keeps in the account's database (local-db.ts), so that
 * the page and the service worker both see them and sign-out wipes them with the rest.
 */

/**
 * A file of an own message whose upload has not completed. Its bytes are the attachment
 * cache's 'original' entry of the same id, pinned while this record exists. The record goes
 * when the server completed the upload (the bytes stay, unpinned), or with the message when
 * it is cancelled or dismissed.
 *
 * `state`: pending (to upload), failed (refused for good, `error` says why; the message fails
 * with it), cancelled (the person cancelled it; kept, without bytes, until the message is
 * rolled back, so that no context pushes the message meanwhile).
 */
export type PendingUpload = {
  /** The attachment's id (AttachmentRef.id, a dashed UUID v7). */
  id: string;
  /** The API id of the conversation. */
  conversationId: string;
  /** The dashed id of the message that carries it. */
  messageId: string;
  name: string;
  type: string;
  size: number;
  /** Part numbers (1-based) the server is known to hold; only for showing progress before the server is asked. */
  partsDone: number[];
  /** Bytes of `partsDone`. */
  sentBytes: number;
  state: 'pending' | 'failed' | 'cancelled';
  error?: { code: ClientErrorCode; message: string };
  /** Epoch ms when it was stored (orphans, whose message was never written, are dropped after a while). */
  createdAt: number;
};

/** The key of one cached variant of an attachment. */
export const cacheKey = (id: string, variant: AttachmentVariant): string => `${id}/${variant}`;

/** What the cache knows of one stored Blob (its bytes are kept apart, under the same key, so touching it rewrites no bytes). */
export type CacheEntry = {
  key: string;
  id: string;
  variant: AttachmentVariant;
  /** The content type of the bytes (as sniffed, or as the server answered). */
  type: string;
  size: number;
  /** Epoch ms of the last use (least recently used go first). */
  usedAt: number;
  /** Never evicted: the bytes of an upload not yet completed. */
  pinned: boolean;
};
