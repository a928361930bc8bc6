import { compareMessages, isInlineImageType, type Message, segmentStart } from '@mailboat/schema';
import type { ChatMessage, ConversationSummary, User } from '../app/model.js';
import type { MessageRows, RowInputs } from './message-rows.js';
import type { ConversationRecord, FailedWrite, OutboxEntry, Position } from './records.js';

/** Builders of the snapshots the screens read (see model.ts). */

export type MessageInputs = RowInputs & {
  /** Every complete message of the held segments, in display order. */
  messages: Message[];
  outbox: OutboxEntry[];
  failed: FailedWrite[];
  /** The conversation's rows, kept from its previous build: a row keeps its identity while unchanged. */
  rows: MessageRows;
};

/**
 * The conversation's messages, oldest first: those in the held documents plus refused new
 * messages (rolled back out of the documents, kept visible as failed). Own messages carry a
 * tick: failed when a write of theirs was refused, pending while one is queued, else from
 * the receipts. Messages the person cancelled (cancelUpload) are not shown.
 */
export function buildMessages(input: MessageInputs): ChatMessage[] {
  const pending = new Set(input.outbox.map((e) => e.op.messageId));
  const cancelled = new Set(input.failed.filter((f) => f.cancelled).map((f) => f.op.messageId));
  const failed = cancelled.size === 0 ? input.failed : input.failed.filter((f) => !f.cancelled);
  const failedBy = new Map(failed.map((f) => [f.op.messageId, f]));
  const out: Row[] = [];
  const refusedSends = failed.some((f) => f.op.kind === 'send');
  const present = new Set<string>();
  input.rows.start();
  for (const m of input.messages) {
    if (cancelled.has(m.id)) continue; // until its rollback takes it out of the document
    if (refusedSends) present.add(m.id);
    out.push({ sortKey: m, chat: input.rows.row(input, m, pending.has(m.id), failedBy.get(m.id)) });
  }
  let extra = false;
  for (const f of failed) {
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
      versions: [{ id: f.op.messageId, text: f.op.text, at: f.op.createdAt, client: 0 }],
      attachments: f.op.attachments ?? [],
    };
    present.add(m.id);
    out.push({ sortKey: m, chat: input.rows.row(input, m, false, f) });
    extra = true;
  }
  input.rows.end(out.length);
  if (extra || !inOrder(out)) out.sort((a, b) => compareMessages(a.sortKey, b.sortKey));
  return out.map((r) => r.chat);
}

type Row = { sortKey: Message; chat: ChatMessage };

function inOrder(rows: Row[]): boolean {
  for (let i = 1; i < rows.length; i++) if (compareMessages((rows[i - 1] as Row).sortKey, (rows[i] as Row).sortKey) > 0) return false;
  return true;
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
  /** Epoch ms now: a mute that ended before it reads as not muted. */
  now: number;
};

/**
 * Messages by others, not deleted, after `read`, in `messages` (display order): counted from
 * the newest back to the watermark, so the cost follows the unread count, not the history.
 */
function unreadAfter(messages: Message[], viewerId: string, read: Position | null): number {
  const mark = read === null ? null : { createdAt: read.at, id: read.id };
  let count = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (mark !== null && compareMessages(m, mark) <= 0) break;
    if (m.author !== viewerId && !m.deleted) count++;
  }
  return count;
}

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
    const local = unreadAfter(messages, viewerId, input.read);
    const covered = !record.hasOlder || (input.read !== null && input.read.at >= segmentStart(input.oldestHeldSegment));
    unreadCount = covered ? local : Math.max(local, record.unreadCount);
  }
  const mute = record.mute ?? null;
  const muted = mute !== null && (mute.until === null || mute.until > input.now);
  return {
    id: record.id,
    kind: record.kind,
    title,
    memberCount: record.memberCount,
    viewerRole: record.viewerRole,
    unreadCount,
    muted,
    mutedUntil: muted ? (mute?.until ?? null) : null,
    otherUserId: record.kind === 'DIRECT' ? (other ?? null) : null,
    lastMessage: last
      ? {
          text: last.text,
          authorName: input.user(last.author).displayName,
          createdAt: last.createdAt,
          deleted: last.deleted,
          attachments: (last.attachments ?? []).map((a) => ({ name: a.name, inline: isInlineImageType(a.type) })),
        }
      : null,
    updatedAt: Math.max(record.updatedAt, last?.createdAt ?? 0),
  };
}
