import * as Y from 'yjs';
import { limits } from '../limits.js';
import { type AttachmentRef, readAttachmentRefs } from './attachments.js';

/**
 * The conversation document, one Y.Doc per segment (see segments.ts).
 *
 *   root Y.Map "messages": message id (UUID v7) -> Y.Map {
 *     id: string            same as the key; never changes
 *     author: string        the writer's user ID (usr_...); never changes
 *     createdAt: number     ms from a hybrid logical clock (hlc.ts); never changes
 *     reactions: Y.Map      user ID -> one emoji; each user sets or removes only their own
 *     replyTo?: string      a message id; never changes
 *     attachments?: AttachmentRef[]
 *                           photos and files (attachments.ts), a plain array written once at
 *                           creation; removed only with the deletion. A message with
 *                           attachments may have an empty text ("" as its first version)
 *     "v:<version id>": { text: string, at: number }
 *                           one entry per version of the text, each written once, only by the
 *                           author: the message's creation writes the first, "v:<message id>"
 *                           with at = createdAt; every edit adds one under a fresh UUID with
 *                           `at` from the hybrid clock, later than the version it replaces
 *     deleted?: true        set by the author, who removes every version at the same time
 *   }
 *
 * The text is a last-writer-wins register over the versions: the shown text is the version
 * with the greatest (at, version id). Concurrent edits never mix; each stays in the history.
 * A deleted message shows no text and no history, whatever versions a concurrent edit left.
 *
 * Documents written before version entries existed (contract v1) hold instead
 *     text: Y.Text          edited character by character by the author
 *     editedAt?: number     stamped by the author on each such edit
 * They are read as one version (id "", at = editedAt ?? createdAt) beside any later "v:"
 * entries, so they show exactly the text they showed before, and can be edited the new way.
 *
 * Display order is (createdAt, id) everywhere. Membership, titles and roles are not here.
 */
export const MESSAGES = 'messages';

export const Field = {
  id: 'id',
  author: 'author',
  createdAt: 'createdAt',
  reactions: 'reactions',
  replyTo: 'replyTo',
  attachments: 'attachments',
  deleted: 'deleted',
  /** Contract v1 only. */
  text: 'text',
  /** Contract v1 only. */
  editedAt: 'editedAt',
} as const;

/** The key prefix of a version entry: "v:" + version id. */
export const VERSION_PREFIX = 'v:';

export const versionKey = (versionId: string) => VERSION_PREFIX + versionId;
export const isVersionKey = (key: string) => key.startsWith(VERSION_PREFIX);

/** Fields written once, in the update that creates the message (besides its first version). */
export const CREATION_FIELDS: ReadonlySet<string> = new Set([
  Field.id,
  Field.author,
  Field.createdAt,
  Field.text,
  Field.reactions,
  Field.replyTo,
  Field.attachments,
]);
/** Fields only the author may set after creation (besides new versions). */
export const AUTHOR_FIELDS: ReadonlySet<string> = new Set([Field.editedAt, Field.deleted]);

/** One version of a message's text. `client` is the Yjs client ID that wrote it (the server knows its device). */
export type MessageVersion = { id: string; text: string; at: number; client: number };

/** A message as plain data, for display and for the relational projection. */
export type Message = {
  id: string;
  author: string;
  createdAt: number;
  /** The current version's text; empty when deleted. */
  text: string;
  replyTo: string | null;
  /** When the shown text was written, if it is not the original. */
  editedAt: number | null;
  deleted: boolean;
  reactions: Record<string, string>;
  /** Every version, oldest first (the last is the shown text); empty when deleted. */
  versions: MessageVersion[];
  /** Photos and files, in order; empty when deleted (and for messages written before they existed). */
  attachments: AttachmentRef[];
};

export const messagesOf = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(MESSAGES);

/** The value of a version entry, or undefined when it is not a well-formed one. */
export function readVersionValue(value: unknown): { text: string; at: number } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { text, at } = value as Record<string, unknown>;
  if (typeof text !== 'string' || !Number.isSafeInteger(at)) return undefined;
  return { text, at: at as number };
}

/**
 * True when a message holding `versions` (as readMessage lists them) may take one more: at most
 * limits.messageVersions.max version entries (an old-shape text, version id "", is not one).
 */
export function canAddVersion(versions: readonly { id: string }[]): boolean {
  return versions.filter((v) => v.id !== '').length < limits.messageVersions.max;
}

/** Orders versions: the greater (at, id) is the later one, on every device. */
export function compareVersions(a: Pick<MessageVersion, 'at' | 'id'>, b: Pick<MessageVersion, 'at' | 'id'>): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The id of the version every message is created with (contract v2). */
export const originalVersionId = (messageId: string) => messageId;

/**
 * Reads one entry of the messages map; undefined when it is not a complete, well-formed
 * message (a foreign value, a missing field, no version to show). Never throws.
 */
export function readMessage(entry: unknown): Message | undefined {
  if (!(entry instanceof Y.Map)) return undefined;
  const map = entry as Y.Map<unknown>;
  const id = map.get(Field.id);
  const author = map.get(Field.author);
  const createdAt = map.get(Field.createdAt);
  const reactions = map.get(Field.reactions);
  if (typeof id !== 'string' || typeof author !== 'string' || !Number.isSafeInteger(createdAt)) return undefined;
  if (!(reactions instanceof Y.Map)) return undefined;
  const deleted = map.get(Field.deleted) === true;
  const legacy = map.get(Field.text);
  const legacyEditedAt = map.get(Field.editedAt);
  const versions: MessageVersion[] = [];
  if (legacy instanceof Y.Text) {
    const at = Number.isSafeInteger(legacyEditedAt) ? (legacyEditedAt as number) : (createdAt as number);
    versions.push({ id: '', text: legacy.toString(), at, client: legacy._item?.id.client ?? 0 });
  }
  for (const [key, item] of map._map) {
    if (item.deleted || !isVersionKey(key)) continue;
    const value = readVersionValue(map.get(key));
    if (value) versions.push({ id: key.slice(VERSION_PREFIX.length), ...value, client: item.id.client });
  }
  if (versions.length === 0 && !deleted) return undefined;
  versions.sort(compareVersions);
  const current = versions.at(-1);
  const original = versions[0];
  const replyTo = map.get(Field.replyTo);
  const editedAt =
    current && current !== original ? current.at : legacy instanceof Y.Text && Number.isSafeInteger(legacyEditedAt) ? current?.at : null;
  return {
    id,
    author,
    createdAt: createdAt as number,
    text: deleted ? '' : (current?.text ?? ''),
    replyTo: typeof replyTo === 'string' ? replyTo : null,
    editedAt: deleted ? null : (editedAt ?? null),
    deleted,
    reactions: Object.fromEntries([...reactions.entries()].filter((e): e is [string, string] => typeof e[1] === 'string')),
    versions: deleted ? [] : versions,
    attachments: deleted ? [] : readAttachmentRefs(map.get(Field.attachments)),
  };
}

/** Compares messages in display order: (createdAt, id). */
export function compareMessages(a: Pick<Message, 'createdAt' | 'id'>, b: Pick<Message, 'createdAt' | 'id'>): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Called for an entry of the messages map that is not a valid message (it is left out). */
export type InvalidEntryReporter = (key: string, entry: unknown) => void;

/** Every valid message of the document, in display order; entries that are not are skipped and reported. */
export function listMessages(doc: Y.Doc, onInvalid?: InvalidEntryReporter): Message[] {
  const out: Message[] = [];
  for (const [key, entry] of messagesOf(doc).entries()) {
    const m = readMessage(entry);
    if (m && m.id === key) out.push(m);
    else onInvalid?.(key, entry);
  }
  return out.sort(compareMessages);
}

// Writes. Each runs in one Yjs transaction with the given origin, so the whole change is one update.

/** `text` may be empty only when there are attachments. */
export type NewMessage = {
  id: string;
  author: string;
  createdAt: number;
  text: string;
  replyTo?: string;
  attachments?: readonly AttachmentRef[];
};

export function createMessage(doc: Y.Doc, m: NewMessage, origin?: unknown): void {
  doc.transact(() => {
    const map = new Y.Map<unknown>();
    map.set(Field.id, m.id);
    map.set(Field.author, m.author);
    map.set(Field.createdAt, m.createdAt);
    map.set(Field.reactions, new Y.Map<string>());
    if (m.replyTo !== undefined) map.set(Field.replyTo, m.replyTo);
    if (m.attachments?.length)
      map.set(
        Field.attachments,
        m.attachments.map((ref) => ({ ...ref })),
      );
    map.set(versionKey(originalVersionId(m.id)), { text: m.text, at: m.createdAt });
    messagesOf(doc).set(m.id, map);
  }, origin);
}

function messageMap(doc: Y.Doc, id: string): Y.Map<unknown> {
  const map = messagesOf(doc).get(id);
  if (!(map instanceof Y.Map)) throw new Error(`No message ${id} in this document`);
  return map;
}

/**
 * The `at` an edit written now must carry: from the clock, and later than the version shown,
 * so an edit always replaces the text its writer saw (concurrent edits: the later wins).
 */
export function nextVersionAt(doc: Y.Doc, id: string, now: number): number {
  const current = readMessage(messagesOf(doc).get(id))?.versions.at(-1);
  return Math.max(now, (current?.at ?? 0) + 1);
}

/**
 * Adds a version of the text (the whole text, never a character diff) under `versionId` (a
 * fresh UUID). `at` should come from nextVersionAt.
 */
export function editMessage(doc: Y.Doc, id: string, text: string, at: number, versionId: string, origin?: unknown): void {
  doc.transact(() => {
    messageMap(doc, id).set(versionKey(versionId), { text, at });
  }, origin);
}

/** Soft-deletes: marks deleted and removes every version (and a v1 text) and the attachments; the entry stays so every device agrees. */
export function deleteMessage(doc: Y.Doc, id: string, origin?: unknown): void {
  doc.transact(() => {
    const map = messageMap(doc, id);
    removeVersions(map);
    map.set(Field.deleted, true);
  }, origin);
}

/** Removes what text a deleted message still holds (a version a concurrent edit added). True when there was some. */
export function purgeDeletedText(doc: Y.Doc, id: string, origin?: unknown): boolean {
  const map = messagesOf(doc).get(id);
  if (!holdsDeletedText(map)) return false;
  doc.transact(() => removeVersions(map as Y.Map<unknown>), origin);
  return true;
}

/**
 * True when an entry of the messages map is a message marked deleted that still holds text:
 * a version (or an old-shape text) that an edit racing the deletion added, or attachments
 * an app that predates them left when it deleted. Its author's devices remove it with
 * purgeDeletedText.
 */
export function holdsDeletedText(entry: unknown): boolean {
  if (!(entry instanceof Y.Map) || entry.get(Field.deleted) !== true) return false;
  const legacy = entry.get(Field.text);
  if (legacy instanceof Y.Text && legacy.length > 0) return true;
  for (const key of entry.keys()) if (isVersionKey(key) || key === Field.attachments) return true;
  return false;
}

function removeVersions(map: Y.Map<unknown>): void {
  const legacy = map.get(Field.text);
  if (legacy instanceof Y.Text && legacy.length > 0) legacy.delete(0, legacy.length);
  for (const key of [...map.keys()]) if (isVersionKey(key) || key === Field.attachments) map.delete(key);
}

/** Sets (or, with null, removes) `userId`'s reaction. */
export function setReaction(doc: Y.Doc, id: string, userId: string, emoji: string | null, origin?: unknown): void {
  doc.transact(() => {
    const reactions = messageMap(doc, id).get(Field.reactions) as Y.Map<string>;
    if (emoji === null) reactions.delete(userId);
    else reactions.set(userId, emoji);
  }, origin);
}
