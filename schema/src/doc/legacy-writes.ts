import * as Y from 'yjs';
import { Field, messagesOf, type NewMessage } from './model.js';

/**
 * The writes of contract v1 (model.ts), as apps released before message versions made them:
 * a `text` Y.Text edited character by character, stamped with `editedAt`. Nothing in Mailboat
 * writes this shape any more; it is kept so tests (and tools) can make documents and updates
 * exactly as devices not yet updated still hold and send them.
 */

export function createMessageV1(doc: Y.Doc, m: NewMessage, origin?: unknown): void {
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

/** Replaces the text as a minimal character diff (so concurrent edits mix) and stamps editedAt. */
export function editMessageV1(doc: Y.Doc, id: string, text: string, editedAt: number, origin?: unknown): void {
  doc.transact(() => {
    const map = messagesOf(doc).get(id) as Y.Map<unknown>;
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

/** Deletes the v1 way: empties the text and marks deleted. */
export function deleteMessageV1(doc: Y.Doc, id: string, origin?: unknown): void {
  doc.transact(() => {
    const map = messagesOf(doc).get(id) as Y.Map<unknown>;
    const ytext = map.get(Field.text) as Y.Text;
    if (ytext.length > 0) ytext.delete(0, ytext.length);
    map.set(Field.deleted, true);
  }, origin);
}
