import { type DBSchema, deleteDB, type IDBPDatabase, openDB } from 'idb';
import type { User } from '../app/model.js';
import type { PreviewRecord } from '../launch/preview-record.js';
import type { CacheEntry, PendingUpload } from './attachments/records.js';
import type { ConversationRecord, FailedWrite, HeldSegment, OutboxEntry, ReceiptsRecord, StoredSession } from './records.js';

/** Keys of the account's key-value store. */
export type MetaValues = {
  session: StoredSession;
  /** Only with refreshTokenDelivery BODY. */
  refreshToken: string;
  /** The `changes` feed cursor up to which held segments are caught up. */
  cursor: string;
  /** When this device's sign-in ends unless it reaches the server before (its refresh token's expiry), epoch ms. */
  signInExpiresAt: number;
  /** markRead calls not yet sent: conversation id -> API message id. */
  pendingReads: Record<string, string>;
  /**
   * What the screens showed last, for the next launch's preview (see launch/preview-record.ts).
   * The key predates the name "preview" and stays: devices hold records under it.
   */
  firstPaint: PreviewRecord;
  /**
   * The endpoint of the push subscription this device registered for the account (see
   * push-subscription.ts): set while the person wants notifications here, so a browser that
   * rotated or dropped it is re-registered at launch. Absent: notifications are off here.
   */
  pushEndpoint: string;
  /** The account's settings as last read from the server (shown offline). */
  settings: { showMessageText: boolean; sharePresence: boolean };
  /** The person dismissed the conversation list's "Get notified" prompt on this device. */
  notificationPromptDismissed: true;
  /** The server's attachment limits as last read (attachments/limits.ts). */
  attachmentLimits: { maxFileBytes: number; maxMessageBytes: number; maxPerMessage: number; partBytes: number };
};

interface AccountSchema extends DBSchema {
  meta: { key: string; value: unknown };
  conversations: { key: string; value: ConversationRecord };
  users: { key: string; value: User };
  receipts: { key: string; value: ReceiptsRecord };
  outbox: { key: number; value: OutboxEntry };
  failed: { key: number; value: FailedWrite };
  segments: { key: [string, number]; value: HeldSegment; indexes: { byConversation: string } };
  /** Since version 2: own files not yet uploaded (attachments/records.ts). */
  uploads: { key: string; value: PendingUpload };
  /** Since version 2: what the attachment cache holds, by cacheKey. */
  attachmentCache: { key: string; value: CacheEntry };
  /** Since version 2: the cached bytes, by cacheKey (apart from their entries, so a touch rewrites no bytes). */
  attachmentBytes: { key: string; value: Blob };
}

interface RootSchema extends DBSchema {
  current: { key: string; value: string };
}

const ROOT = 'mailboat';
/** The account database's name; segment documents are named after it (see segmentDbName). */
export const accountDbName = (userId: string) => `mailboat:${userId}`;
/** The y-indexeddb database of one segment document. */
export const segmentDbName = (userId: string, conversationId: string, segment: number) => `mailboat:${userId}:${conversationId}:${segment}`;

export type AccountDb = IDBPDatabase<AccountSchema>;

/** Which account this device is signed into (a pointer kept outside any account database). */
export async function readCurrentAccount(factory: IDBFactory): Promise<string | undefined> {
  const db = await openRoot(factory);
  try {
    return await db.get('current', 'account');
  } finally {
    db.close();
  }
}

export async function writeCurrentAccount(factory: IDBFactory, userId: string | null): Promise<void> {
  const db = await openRoot(factory);
  try {
    if (userId === null) await db.delete('current', 'account');
    else await db.put('current', userId, 'account');
  } finally {
    db.close();
  }
}

/**
 * Whether a sign-out in COOKIE mode could not reach the server, so the refresh cookie may
 * still be valid: the session must then not be restored from it, but signed out at the next
 * chance. Kept outside any account database (those are wiped at sign-out).
 */
export async function readSignOutPending(factory: IDBFactory): Promise<boolean> {
  const db = await openRoot(factory);
  try {
    return (await db.get('current', 'signOutPending')) !== undefined;
  } finally {
    db.close();
  }
}

export async function writeSignOutPending(factory: IDBFactory, pending: boolean): Promise<void> {
  const db = await openRoot(factory);
  try {
    if (pending) await db.put('current', 'yes', 'signOutPending');
    else await db.delete('current', 'signOutPending');
  } finally {
    db.close();
  }
}

/** The device's learned offset to the server's clock (see server-clock.ts), in ms; 0 when none is stored. */
export async function readClockOffset(factory: IDBFactory): Promise<number> {
  const db = await openRoot(factory);
  try {
    const stored = Number(await db.get('current', 'clockOffset'));
    return Number.isFinite(stored) ? stored : 0;
  } finally {
    db.close();
  }
}

export async function writeClockOffset(factory: IDBFactory, offset: number): Promise<void> {
  const db = await openRoot(factory);
  try {
    if (offset === 0) await db.delete('current', 'clockOffset');
    else await db.put('current', String(offset), 'clockOffset');
  } finally {
    db.close();
  }
}

/** The most attachment bytes this device keeps cached unless told otherwise (a device preference, not the account's). */
export const DEFAULT_ATTACHMENT_CACHE_BYTES = 500 * 1024 * 1024;

/** The device's attachment cache limit in bytes (kept outside any account database: it is the device's, and outlives sign-out). */
export async function readAttachmentCacheLimit(factory: IDBFactory): Promise<number> {
  const db = await openRoot(factory);
  try {
    const stored = Number(await db.get('current', 'attachmentCacheLimit'));
    return Number.isSafeInteger(stored) && stored >= 0 ? stored : DEFAULT_ATTACHMENT_CACHE_BYTES;
  } finally {
    db.close();
  }
}

export async function writeAttachmentCacheLimit(factory: IDBFactory, bytes: number): Promise<void> {
  const db = await openRoot(factory);
  try {
    await db.put('current', String(bytes), 'attachmentCacheLimit');
  } finally {
    db.close();
  }
}

function openRoot(factory: IDBFactory) {
  return withFactory(factory, () =>
    openDB<RootSchema>(ROOT, 1, {
      upgrade(db) {
        db.createObjectStore('current');
      },
    }),
  );
}

/** The account database's version: 1 the first stores, 2 added the attachment stores. */
const ACCOUNT_DB_VERSION = 2;

/**
 * Opens (creating on first use) the account's metadata database, upgrading one written by an
 * earlier version in place: each version only adds stores, so what a device holds is kept.
 */
export function openAccountDb(factory: IDBFactory, userId: string): Promise<AccountDb> {
  return withFactory(factory, () =>
    openDB<AccountSchema>(accountDbName(userId), ACCOUNT_DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('meta');
          db.createObjectStore('conversations', { keyPath: 'id' });
          db.createObjectStore('users', { keyPath: 'id' });
          db.createObjectStore('receipts', { keyPath: 'conversationId' });
          db.createObjectStore('outbox', { keyPath: 'seq' });
          db.createObjectStore('failed', { keyPath: 'seq' });
          db.createObjectStore('segments', { keyPath: ['conversationId', 'segment'] }).createIndex('byConversation', 'conversationId');
        }
        if (oldVersion < 2) {
          db.createObjectStore('uploads', { keyPath: 'id' });
          db.createObjectStore('attachmentCache', { keyPath: 'key' });
          db.createObjectStore('attachmentBytes');
        }
      },
    }),
  );
}

export async function getMeta<K extends keyof MetaValues>(db: AccountDb, key: K): Promise<MetaValues[K] | undefined> {
  return (await db.get('meta', key)) as MetaValues[K] | undefined;
}

export async function setMeta<K extends keyof MetaValues>(db: AccountDb, key: K, value: MetaValues[K] | undefined): Promise<void> {
  if (value === undefined) await db.delete('meta', key);
  else await db.put('meta', value, key);
}

/** Deletes a whole database by name (waits until it is gone). */
export function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return withFactory(factory, () => deleteDB(name));
}

/**
 * Runs `fn` with `factory` as the global indexedDB, for libraries that only use the global
 * (y-indexeddb, and idb's deleteDB): they open their database synchronously inside `fn`.
 * In a browser the factory is the global already and nothing changes.
 */
export function withFactory<T>(factory: IDBFactory, fn: () => T): T {
  const g = globalThis as { indexedDB?: IDBFactory };
  if (g.indexedDB === factory) return fn();
  const saved = g.indexedDB;
  g.indexedDB = factory;
  try {
    return fn();
  } finally {
    g.indexedDB = saved;
  }
}
