import { compareMessages, type Message, segmentStart } from '@mailboat/schema';
import type { ChatMessage, ConversationSummary, User } from '../app/model.js';
import type { ConversationRecord, FailedWrite, OutboxEntry, Position, Watermark } from './records.js';
import { comparePositions, tickFromReceipts } from './ticks.js';
import { toMessageId } from './uuid.js';

/** Pure builders of the snapshots the screens read (see model.ts). */

export type MessageInputs = {
  conversationId: string;
  viewerId: string;
  /** Every complete message of the held segments, in display order. */
  messages: Message[];
  outbox: OutboxEntry[];
  failed: FailedWrite[];
  receipts: Watermark[];
  user: (id: string) => User;
};

const position = (m: Pick<Message, 'createdAt' | 'id'>): Position => ({ at: m.createdAt, id: m.id });

/**
 * The conversation's messages, oldest first: those in the held documents plus refused new
 * messages (rolled back out of the documents, kept visible as failed). Own messages carry a
 * tick: failed when a write of theirs was refused, pending while one is queued, else from
 * the receipts.
 */
export function buildMessages(input: MessageInputs): ChatMessage[] {
  const pending = new Set(input.outbox.map((e) => e.op.messageId));
  const failedBy = new Map(input.failed.map((f) => [f.op.messageId, f]));
  const out: (ChatMessage & { sortKey: Message })[] = [];
  const present = new Set<string>();
  for (const m of input.messages) {
    present.add(m.id);
    out.push(chatMessage(input, m, pending.has(m.id), failedBy.get(m.id)));
  }
  for (const f of input.failed) {
    if (f.op.kind !== 'send' || present.has(f.op.messageId)) continue;
    const m: Message = {
      id: f.op.messageId,
      author: f.op.author,
      createdAt: f.op.createdAt,
      text: f.op.text,
      replyTo: f.op.replyTo ?? null,
      editedAt: null,
      deleted: false,
      reactions: {},
    };
    present.add(m.id);
    out.push(chatMessage(input, m, false, f));
  }
  return out.sort((a, b) => compareMessages(a.sortKey, b.sortKey)).map(({ sortKey: _, ...m }) => m);
}

function chatMessage(
  input: MessageInputs,
  m: Message,
  pending: boolean,
  failed: FailedWrite | undefined,
): ChatMessage & { sortKey: Message } {
  const mine = m.author === input.viewerId;
  const tick = !mine ? null : failed ? 'failed' : pending ? 'pending' : tickFromReceipts(position(m), m.author, input.receipts);
  return {
    sortKey: m,
    id: toMessageId(m.id),
    conversationId: input.conversationId,
    author: input.user(m.author),
    mine,
    text: m.text,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    deleted: m.deleted,
    replyTo: m.replyTo === null ? null : toMessageId(m.replyTo),
    reactions: Object.entries(m.reactions)
      .map(([userId, emoji]) => ({ userId, emoji }))
      .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)),
    tick,
    failure: failed ? failed.failure : null,
  };
}

export type SummaryInputs = {
  record: ConversationRecord;
  viewerId: string;
  messages: Message[];
  /** The first held segment, or null when none is held. */
  oldestHeldSegment: number | null;
  /** The viewer's read watermark, local marks included. */
  read: Position | null;
  user: (id: string) => User;
};

/**
 * A conversation list entry. unreadCount is recounted from the held documents (messages by
 * others after the viewer's read watermark, deleted ones left out) when they cover the
 * watermark; otherwise the server's last count is the floor.
 */
export function buildSummary(input: SummaryInputs): ConversationSummary {
  const { record, messages, viewerId } = input;
  const last = messages[messages.length - 1];
  const other = record.memberIds.find((id) => id !== viewerId);
  const title = record.title ?? (other ? input.user(other).displayName : 'Just you');
  let unreadCount = record.unreadCount;
  if (input.oldestHeldSegment !== null) {
    const local = messages.filter((m) => m.author !== viewerId && !m.deleted && comparePositions(position(m), input.read) > 0).length;
    const covered = !record.hasOlder || (input.read !== null && input.read.at >= segmentStart(input.oldestHeldSegment));
    unreadCount = covered ? local : Math.max(local, record.unreadCount);
  }
  return {
    id: record.id,
    kind: record.kind,
    title,
    memberCount: record.memberCount,
    viewerRole: record.viewerRole,
    unreadCount,
    lastMessage: last
      ? { text: last.text, authorName: input.user(last.author).displayName, createdAt: last.createdAt, deleted: last.deleted }
      : null,
    updatedAt: Math.max(record.updatedAt, last?.createdAt ?? 0),
  };
}
