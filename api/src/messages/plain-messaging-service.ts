import {
  type AttachmentRef,
  canAddVersion,
  createMessage,
  deleteMessage as deleteInDoc,
  editMessage as editInDoc,
  HybridClock,
  isReactionEmoji,
  limits,
  messageTextProblem,
  nextVersionAt,
  normalizeMessageText,
  segmentOf,
  setReaction,
} from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import * as Y from 'yjs';
import { findAttachments, linkableOf } from '../attachments/attachments-repository.js';
import { tooLarge } from '../attachments/attachments-service.js';
import type { AppDeps } from '../context.js';
import { findMembership } from '../conversations/conversations-repository.js';
import type { MessageRow } from '../db/tables.js';
import { badInput, forbidden, notFound } from '../errors.js';
import { decodeGlobalId, encodeGlobalId } from '../global-ids.js';
import { claimProblem } from '../sync/push/push-attachments.js';
import { type PushOutcome, pushUpdates } from '../sync/push/push-service.js';
import type { SegmentKey } from '../sync/segments/segments-repository.js';
import type { Viewer } from '../viewer.js';
import { findMessage, findNewestMessage } from './messages-query-repository.js';

// Plain messaging: clients that know no Yjs send, edit, delete and react through ordinary
// mutations. The server writes the Yjs update on the viewer's behalf, against the current
// segment document and with a fresh random Yjs client ID, and stores it with pushUpdates,
// so it passes exactly the write rules, storage, projection and broadcast a Yjs device's
// update does. Every function answers with the message as committed (read back from the
// projection), and changes nothing when it throws.
//
// Errors: NOT_FOUND for a conversation or message the viewer cannot see; FORBIDDEN for a
// change only the author may make, or an update the write rules refused (FORBIDDEN_UPDATE
// is the Yjs push channel's code and is not used here); BAD_USER_INPUT naming the field.

/** How often a write is rebuilt from fresh state after push refused it (a race, a client ID clash). */
const ATTEMPTS = 3;

const messageNotFound = () => notFound('Message');
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type SendInput = {
  conversationId: string;
  text: string;
  replyTo?: string | null;
  clientMessageId?: string | null;
  /** Uploads of the viewer into this conversation, completed and not sent yet, in order. */
  attachmentIds?: readonly string[] | null;
};

/**
 * Sends a message as the viewer. createdAt is the server's clock, but strictly after the
 * newest message of the conversation, so a reply sorts after what it answers. With
 * `clientMessageId` (a UUID v7), that is the message id and a retry returns the message
 * already sent instead of writing it again (whatever text the retry carries).
 */
export async function sendMessage(deps: AppDeps, viewer: Viewer, input: SendInput): Promise<MessageRow> {
  const withFiles = (input.attachmentIds?.length ?? 0) > 0;
  const text = withFiles && normalizeMessageText(input.text) === '' ? '' : messageText(input.text);
  const id = input.clientMessageId == null ? uuidv7() : clientMessageId(input.clientMessageId);
  if (!(await findMembership(deps.db, input.conversationId, viewer.userId))) throw notFound('Conversation');
  const attachments = withFiles ? await attachmentRefs(deps, viewer, input.conversationId, input.attachmentIds ?? [], id) : undefined;
  const replyTo = input.replyTo ?? undefined;
  if (replyTo !== undefined && (await findMessage(deps.db, replyTo))?.conversation_id !== input.conversationId) {
    throw badInput('replyTo', 'No such message in this conversation');
  }
  return writeWithRetries(deps, viewer, async () => {
    const sent = await findMessage(deps.db, id);
    if (sent) return { done: alreadySent(sent, viewer, input.conversationId) };
    const clock = new HybridClock();
    const newest = await findNewestMessage(deps.db, input.conversationId);
    if (newest) clock.observe(newest.created_at);
    const createdAt = Math.min(clock.next(), Date.now() + limits.futureSkewMs);
    const key = { conversationId: input.conversationId, segment: segmentOf(createdAt) };
    // A new key of the root map has no Yjs origin to refer to: the update is the same whatever the
    // document holds, so it is built on an empty one instead of copying the segment.
    const update = captureUpdate(new Y.Doc(), (doc) =>
      createMessage(doc, { id, author: encodeGlobalId('User', viewer.userId), createdAt, text, replyTo, attachments }),
    );
    return { write: { key, update, id } };
  });
}

/**
 * Adds a version of the text to one of the viewer's messages (a fresh UUID v7, `at` from the
 * server's clock and later than the text shown), which becomes its text and editedAt; the same
 * text changes nothing. A concurrent edit from a device wins if its `at` is later.
 */
export async function editMessage(deps: AppDeps, viewer: Viewer, input: { messageId: string; text: string }): Promise<MessageRow> {
  const text = messageText(input.text);
  return writeWithRetries(deps, viewer, async () => {
    const row = await visibleMessage(deps, viewer, input.messageId);
    if (row.author_id !== viewer.userId) throw forbidden('Only the author of a message may edit it');
    if (row.deleted) throw badInput('messageId', 'A deleted message cannot be edited');
    if (row.text === text) return { done: row };
    if (!canAddVersion(row.versions)) {
      throw badInput('messageId', `A message keeps at most ${limits.messageVersions.max} versions: it cannot be edited again`);
    }
    const edit = (doc: Y.Doc) => editInDoc(doc, row.id, text, nextVersionAt(doc, row.id, Date.now()), uuidv7());
    return { write: await writeOn(deps, row, edit) };
  });
}

/** Marks one of the viewer's messages deleted and removes its text and every version; deleting it again changes nothing. */
export async function deleteMessage(deps: AppDeps, viewer: Viewer, messageId: string): Promise<MessageRow> {
  return writeWithRetries(deps, viewer, async () => {
    const row = await visibleMessage(deps, viewer, messageId);
    if (row.author_id !== viewer.userId) throw forbidden('Only the author of a message may delete it');
    if (row.deleted) return { done: row };
    return { write: await writeOn(deps, row, (doc) => deleteInDoc(doc, row.id)) };
  });
}

/** Sets the viewer's one reaction to a message, or removes it with null; the same reaction again changes nothing. */
export async function reactToMessage(
  deps: AppDeps,
  viewer: Viewer,
  input: { messageId: string; emoji: string | null },
): Promise<MessageRow> {
  if (input.emoji !== null && !isReactionEmoji(input.emoji)) throw badInput('emoji', 'A reaction is exactly one emoji');
  const userId = encodeGlobalId('User', viewer.userId);
  return writeWithRetries(deps, viewer, async () => {
    const row = await visibleMessage(deps, viewer, input.messageId);
    if (row.deleted) throw badInput('messageId', 'A deleted message takes no reactions');
    if ((row.reactions[userId] ?? null) === input.emoji) return { done: row };
    return { write: await writeOn(deps, row, (doc) => setReaction(doc, row.id, userId, input.emoji)) };
  });
}

type Write = { key: SegmentKey; update: Uint8Array; id: string };
type Step = { done: MessageRow } | { write: Write };

/**
 * Runs `build` (which reads committed state, checks the request against it and either answers
 * or builds one update) and pushes its update; when push refuses it because the state moved
 * on meanwhile (or the random client ID clashed), builds again from the new state.
 */
async function writeWithRetries(deps: AppDeps, viewer: Viewer, build: () => Promise<Step>): Promise<MessageRow> {
  let refusal: Extract<PushOutcome, { status: 'refused' }> | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const step = await build();
    if ('done' in step) return step.done;
    const { key, update, id } = step.write;
    const [outcome] = await pushUpdates(deps, viewer, [{ ...key, update }]);
    if (!outcome) throw new Error('push answered nothing');
    if (outcome.status !== 'refused') {
      const row = await findMessage(deps.db, id);
      if (!row) throw new Error(`message ${id} was written but is not in the projection`);
      return row;
    }
    refusal = outcome;
    if (refusal.code === 'NOT_FOUND') throw notFound('Conversation');
    if (refusal.code !== 'FORBIDDEN_UPDATE' && refusal.code !== 'MISSING_DEPENDENCIES') break;
  }
  if (refusal?.code === 'FORBIDDEN_UPDATE') throw forbidden(refusal.message);
  throw new Error(`a server-written update was refused: ${refusal?.code} ${refusal?.message}`);
}

/** Builds the update `change` makes to a copy of the message's segment document as committed. */
async function writeOn(deps: AppDeps, row: MessageRow, change: (doc: Y.Doc) => void): Promise<Write> {
  const key = { conversationId: row.conversation_id, segment: row.segment };
  const state = await deps.segments.withSegments([key], async () => Y.encodeStateAsUpdate((await deps.segments.open(deps.db, key)).doc));
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return { key, update: captureUpdate(doc, change), id: row.id };
}

/** The update of one `change` to `doc`, written with a fresh random client ID the document has never seen. */
function captureUpdate(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  do {
    doc.clientID = crypto.getRandomValues(new Uint32Array(1))[0] as number;
  } while (doc.store.clients.has(doc.clientID));
  let update: Uint8Array | undefined;
  doc.on('update', (u: Uint8Array) => {
    update = u;
  });
  change(doc);
  doc.destroy();
  if (!update) throw new Error('the change wrote nothing');
  return update;
}

/** The message if the viewer is a member of its conversation; NOT_FOUND otherwise. */
async function visibleMessage(deps: AppDeps, viewer: Viewer, id: string): Promise<MessageRow> {
  const row = await findMessage(deps.db, id);
  if (!row || !(await findMembership(deps.db, row.conversation_id, viewer.userId))) throw messageNotFound();
  return row;
}

/**
 * A message already stored under a client's id: the earlier send of this retry, or an id the
 * caller may not use, refused exactly like a malformed one, so nobody learns from the answer
 * whether an id is in use elsewhere.
 */
function alreadySent(row: MessageRow, viewer: Viewer, conversationId: string): MessageRow {
  if (row.author_id !== viewer.userId || row.conversation_id !== conversationId) throw refusedClientMessageId();
  return row;
}

const refusedClientMessageId = () => badInput('clientMessageId', 'clientMessageId must be a new UUID v7 made by this client');

/** Accepts a lower-case or upper-case UUID v7, or the Message global ID made from one. */
function clientMessageId(value: string): string {
  const raw = value.toLowerCase();
  const decoded = raw.startsWith('msg_') ? messageIdOf(raw) : raw;
  if (decoded === undefined || !UUID_V7.test(decoded)) throw refusedClientMessageId();
  return decoded;
}

/** The UUID inside a Message global ID, or undefined when `value` is not one. */
function messageIdOf(value: string): string | undefined {
  try {
    const { typename, id } = decodeGlobalId(value);
    return typename === 'Message' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The refs of the viewer's completed uploads `ids` (for message `messageId`); BAD_USER_INPUT naming attachmentIds, or ATTACHMENT_TOO_LARGE over the per-message total. */
async function attachmentRefs(
  deps: AppDeps,
  viewer: Viewer,
  conversationId: string,
  ids: readonly string[],
  messageId: string,
): Promise<AttachmentRef[]> {
  if (ids.length > limits.attachments.perMessage || new Set(ids).size !== ids.length) {
    throw badInput('attachmentIds', `At most ${limits.attachments.perMessage} distinct attachments per message`);
  }
  const rows = new Map((await findAttachments(deps.db, ids)).map((r) => [r.id, r]));
  const total = [...rows.values()].reduce((sum, r) => sum + r.size, 0);
  if (total > deps.config.attachmentMessageMaxBytes) {
    throw tooLarge(`A message's files may total at most ${deps.config.attachmentMessageMaxBytes} bytes; these are ${total}`);
  }
  return ids.map((id, position) => {
    const r = rows.get(id);
    const ref: AttachmentRef | undefined = r && {
      id,
      name: r.name,
      type: r.content_type as string,
      size: r.size,
      ...(r.width !== null && r.height !== null ? { width: r.width, height: r.height } : {}),
    };
    // The same judgement the push makes of a Yjs message's refs (push-attachments.ts), answered here as bad input.
    const claim = ref && { ref, messageId, position, userId: viewer.userId, conversationId };
    if (!r || !ref || !claim || claimProblem(claim, linkableOf(r))) {
      throw badInput(
        'attachmentIds',
        `${encodeGlobalId('Attachment', id)} is not a completed upload of yours into this conversation, unsent`,
      );
    }
    return ref;
  });
}

/** Message text as stored: trimmed, then judged by the one set of text rules (schema text.ts); BAD_USER_INPUT naming `text`. */
function messageText(value: string): string {
  const text = normalizeMessageText(value);
  const problem = messageTextProblem(text);
  if (problem) throw badInput('text', problem);
  return text;
}
