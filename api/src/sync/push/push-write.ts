import { messagesOf, readMessage } from '@mailboat/schema';
import type * as Y from 'yjs';
import { findAttachmentsToLink, linkAttachments, markDeletedWithMessages } from '../../attachments/attachments-repository.js';
import type { Db } from '../../db/connect.js';
import { decodeGlobalId } from '../../global-ids.js';
import { enqueueNotifications } from '../../notifications/notifications-repository.js';
import type { SegmentKey } from '../segments/segments-repository.js';
import type { CheckedGroup } from './push-check.js';
import type { Opened } from './push-lock.js';
import { type ProjectedMessage, writePushed } from './push-repository.js';
import { RerunError } from './push-rerun.js';

/**
 * Step 3 of a group commit, inside its transaction: stores what the checks accepted in one
 * statement (writePushed): the updates, each changed segment's new last_seq, the new Yjs
 * client owners, and the changed messages as the projection keeps them. Writes nothing when
 * nothing was accepted. Throws RerunError when a message id this group created was taken
 * meanwhile (its row exists, in another segment): the group then runs again knowing it.
 * Then queues the notifications of the messages it newly created (not edits, reactions or
 * deletions), in one more statement only when there are some (notifications-repository.ts).
 * Links the uploads new messages name to them (RerunError when another message took one
 * meanwhile) and marks deleted the attachments of messages this group deleted, each in one
 * statement only when there are some. Returns whether it queued notifications and whether
 * it deleted attachments (the sweeper then removes their bytes, after the commit).
 */
export async function writeGroup(
  trx: Db,
  opened: ReadonlyMap<string, Opened>,
  checked: CheckedGroup,
  notificationIntervalSeconds: number,
): Promise<{ notified: boolean; removedAttachments: boolean }> {
  if (checked.updates.length === 0) return { notified: false, removedAttachments: false };
  const lastSeqs: (SegmentKey & { lastSeq: number })[] = [];
  const messages: ProjectedMessage[] = [];
  for (const [name, ids] of checked.changed) {
    const o = opened.get(name) as Opened;
    lastSeqs.push({ ...o.key, lastSeq: o.seq });
    messages.push(...projected(o.key, o.entry.doc, ids, o.entry.owners as Map<number, string>));
  }
  const inserted = await writePushed(trx, { updates: checked.updates, lastSeqs, clients: checked.clients, messages });
  const collisions = messages.filter((m) => checked.creator.has(m.id) && !inserted.has(m.id)).map((m) => m.id);
  if (collisions.length > 0) throw new RerunError({ taken: collisions });
  await linkClaimed(trx, checked.links);
  const removed = await markDeletedWithMessages(
    trx,
    messages.filter((m) => m.deleted).map((m) => m.id),
  );
  const created = messages
    .filter((m) => inserted.has(m.id) && !m.deleted)
    .map((m) => ({ id: m.id, conversationId: m.conversationId, authorId: m.authorId, createdAt: m.createdAt }));
  const jobs = await enqueueNotifications(trx, created, notificationIntervalSeconds);
  return { notified: jobs > 0, removedAttachments: removed > 0 };
}

/** Links the claimed uploads; when another message took one meanwhile, the group runs again knowing it. */
async function linkClaimed(trx: Db, links: CheckedGroup['links']): Promise<void> {
  const linked = await linkAttachments(trx, links);
  const lost = links.filter((l) => !linked.has(l.id)).map((l) => l.id);
  if (lost.length === 0) return;
  const records = await findAttachmentsToLink(trx, lost);
  throw new RerunError({ attachments: lost.map((id) => [id, records.get(id) ?? null]) });
}

/**
 * The messages `ids` as the projection stores them, each version with the device that wrote it:
 * `owners` maps a Yjs client ID to its device (null for a client the segment has no owner for).
 */
function projected(key: SegmentKey, doc: Y.Doc, ids: Set<string>, owners: ReadonlyMap<number, string>): ProjectedMessage[] {
  const out: ProjectedMessage[] = [];
  for (const id of ids) {
    const map = messagesOf(doc).get(id);
    const message = map && readMessage(map);
    if (!message) continue;
    const versions = message.versions.map(({ id, text, at, client }) => ({ id, text, at, deviceId: owners.get(client) ?? null }));
    out.push({ ...key, ...message, authorId: decodeGlobalId(message.author).id, versions });
  }
  return out;
}
