import * as Y from 'yjs';

/**
 * The conversation document, one Y.Doc per segment (see segments.ts).
 *
 *   root Y.Map "messages": message id (UUID v7) -> Y.Map {
 *     id: string            same as the key; never changes
 *     author: string        the writer's user ID (usr_...); never changes
 *     createdAt: number     ms from a hybrid logical clock (hlc.ts); never changes
 *     text: Y.Text          only the author edits it
 *     reactions: Y.Map      user ID -> one emoji; each user sets or removes only their own
 *     replyTo?: string      a message id; never changes
 *     editedAt?: number     set by the author when editing
 *     deleted?: true        set by the author; the text is emptied at the same time
 *   }
 *
 * Display order is (createdAt, id) everywhere. Membership, titles and roles are not here.
 */
export const MESSAGES = 'messages';

export const Field = {
  id: 'id',
  author: 'author',
  createdAt: 'createdAt',
  text: 'text',
  reactions: 'reactions',
  replyTo: 'replyTo',
  editedAt: 'editedAt',
  deleted: 'deleted',
} as const;

/** Fields written once, in the update that creates the message. */
export const CREATION_FIELDS: ReadonlySet<string> = new Set([
  Field.id,
  Field.author,
  Field.createdAt,
  Field.text,
  Field.reactions,
  Field.replyTo,
]);
/** Fields only the author may set after creation. */
export const AUTHOR_FIELDS: ReadonlySet<string> = new Set([Field.editedAt, Field.deleted]);

/** A message as plain data, for display and for the relational projection. */
export type Message = {
  id: string;
  author: string;
  createdAt: number;
  text: string;
  replyTo: string | null;
  editedAt: number | null;
  deleted: boolean;
  reactions: Record<string, string>;
};

export const messagesOf = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(MESSAGES);

/** Reads one message map; undefined while it is incomplete (its creation not yet fully received). */
export function readMessage(map: Y.Map<unknown>): Message | undefined {
  const id = map.get(Field.id);
  const author = map.get(Field.author);
  const createdAt = map.get(Field.createdAt);
  const text = map.get(Field.text);
  const reactions = map.get(Field.reactions);
  if (typeof id !== 'string' || typeof author !== 'string' || typeof createdAt !== 'number') return undefined;
  if (!(text instanceof Y.Text) || !(reactions instanceof Y.Map)) return undefined;
  const replyTo = map.get(Field.replyTo);
  const editedAt = map.get(Field.editedAt);
  return {
    id,
    author,
    createdAt,
    text: text.toString(),
    replyTo: typeof replyTo === 'string' ? replyTo : null,
    editedAt: typeof editedAt === 'number' ? editedAt : null,
    deleted: map.get(Field.deleted) === true,
    reactions: Object.fromEntries([...reactions.entries()].filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

/** Compares messages in display order: (createdAt, id). */
export function compareMessages(a: Pick<Message, 'createdAt' | 'id'>, b: Pick<Message, 'createdAt' | 'id'>): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Every complete message of the document, in display order. */
export function listMessages(doc: Y.Doc): Message[] {
  const out: Message[] = [];
  for (const map of messagesOf(doc).values()) {
    const m = readMessage(map);
    if (m) out.push(m);
  }
  return out.sort(compareMessages);
}

// Writes. Each runs in one Yjs transaction with the given origin, so the whole change is one update.

export type NewMessage = { id: string; author: string; createdAt: number; text: string; replyTo?: string };

export function createMessage(doc: Y.Doc, m: NewMessage, origin?: unknown): void {
  doc.transact(() => {
    const map = new Y.Map<unknown>();
    map.set(Field.id, m.id);
    map.set(Field.author, m.author);
    map.set(Field.createdAt, m.createdAt);
    map.set(Field.text, new Y.Text(m.text));
    map.set(Field.reactions, new Y.Map<string>());
    if (m.replyTo !== undefined) map.set(Field.replyTo, m.replyTo);
    messagesOf(doc).set(m.id, map);
  }, origin);
}

function messageMap(doc: Y.Doc, id: string): Y.Map<unknown> {
  const map = messagesOf(doc).get(id);
  if (!map) throw new Error(`No message ${id} in this document`);
  return map;
}

/** Replaces the text (as a minimal diff, so concurrent edits merge) and stamps editedAt. */
export function editMessage(doc: Y.Doc, id: string, text: string, editedAt: number, origin?: unknown): void {
  doc.transact(() => {
    const map = messageMap(doc, id);
    const ytext = map.get(Field.text) as Y.Text;
    const old = ytext.toString();
    let start = 0;
    while (start < old.length && start < text.length && old[start] === text[start]) start++;
    let end = 0;
    while (end < old.length - start && end < text.length - start && old[old.length - 1 - end] === text[text.length - 1 - end]) end++;
    if (old.length - start - end > 0) ytext.delete(start, old.length - start - end);
    if (text.length - start - end > 0) ytext.insert(start, text.slice(start, text.length - end));
    map.set(Field.editedAt, editedAt);
  }, origin);
}

/** Soft-deletes: marks deleted and empties the text; the entry stays so every device agrees. */
export function deleteMessage(doc: Y.Doc, id: string, origin?: unknown): void {
  doc.transact(() => {
    const map = messageMap(doc, id);
    const ytext = map.get(Field.text) as Y.Text;
    if (ytext.length > 0) ytext.delete(0, ytext.length);
    map.set(Field.deleted, true);
  }, origin);
}

/** Sets (or, with null, removes) `userId`'s reaction. */
export function setReaction(doc: Y.Doc, id: string, userId: string, emoji: string | null, origin?: unknown): void {
  doc.transact(() => {
    const reactions = messageMap(doc, id).get(Field.reactions) as Y.Map<string>;
    if (emoji === null) reactions.delete(userId);
    else reactions.set(userId, emoji);
  }, origin);
}
