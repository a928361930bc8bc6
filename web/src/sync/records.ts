import type { ClientErrorCode, MemberRole, Session, User } from '../app/model.js';
import type { WriteOp } from './write-ops.js';

/** The plain records the device keeps in its per-account IndexedDB database (local-db.ts). */

/** A conversation as last fetched, plus how much of its history the device holds. */
export type ConversationRecord = {
  id: string;
  kind: 'DIRECT' | 'GROUP';
  title: string | null;
  memberCount: number;
  viewerRole: MemberRole;
  /** The server's count at the last fetch; the device recounts from held documents when it can. */
  unreadCount: number;
  /** Epoch ms. */
  updatedAt: number;
  /**
   * The viewer's mute as last fetched: until when (epoch ms; null for always), or null when not
   * muted. Absent in records stored before mutes existed (read as not muted).
   */
  mute?: { until: number | null } | null;
  /** The current members (user ids, join order), for a direct conversation's title. */
  memberIds: string[];
  /** Its newest segments have been loaded onto the device once. */
  loaded: boolean;
  /** Segments cursor after the oldest held page (for loadOlder); null when none was taken yet. */
  olderCursor: string | null;
  hasOlder: boolean;
};

/** A place in display order: a message's (createdAt, dashed id). */
export type Position = { at: number; id: string };

/** A member's delivered and read watermarks (null: before every message). */
export type Watermark = { userId: string; delivered: Position | null; read: Position | null };

export type ReceiptsRecord = { conversationId: string; members: Watermark[] };

/** One local write not yet acknowledged by the server, in write order (`seq`). */
export type OutboxEntry = { seq: number; conversationId: string; segment: number; update: Uint8Array; op: WriteOp };

/**
 * A write the server refused, moved aside so the UI can show it (and retry or dismiss it).
 * `awaitingRollback`: the service worker moved it aside, with no document at hand (or the
 * person cancelled it); the app still has to roll the segment back (rebuild it without the
 * write) when it next flushes.
 */
export type FailedWrite = OutboxEntry & {
  failure: { code: ClientErrorCode; message: string; retryable: boolean };
  awaitingRollback?: true;
  /**
   * The person cancelled it (cancelUpload: a message whose files had not all uploaded): it is
   * never shown, and once its segment is rolled back it is forgotten.
   */
  cancelled?: true;
};

export type HeldSegment = { conversationId: string; segment: number };

export type StoredSession = Session;
export type { User };
