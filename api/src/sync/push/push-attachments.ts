import type { AttachmentRef } from '@mailboat/schema';
import { UpdateRefusedError } from '@mailboat/schema';
import { findAttachmentsToLink, type LinkableAttachment } from '../../attachments/attachments-repository.js';
import type { Db } from '../../db/connect.js';
import { RerunError } from './push-rerun.js';

/** A message's claim on an upload, as an accepted update makes it. */
export type AttachmentClaim = { ref: AttachmentRef; messageId: string; position: number; userId: string; conversationId: string };

/**
 * Why `record` cannot be what `claim` names, or undefined when it can: an upload completed by
 * the message's author into the message's conversation, of the same size and type, not
 * deleted, and named by no other message.
 */
export function claimProblem(claim: AttachmentClaim, record: LinkableAttachment | null): string | undefined {
  const { ref } = claim;
  if (!record || record.uploader_id !== claim.userId || record.conversation_id !== claim.conversationId || record.deleted) {
    return `Attachment ${ref.id} is not an upload of yours into this conversation`;
  }
  if (!record.completed) return `Attachment ${ref.id} has not finished uploading: complete it first`;
  if (record.message_id !== null && record.message_id !== claim.messageId) return `Attachment ${ref.id} belongs to another message`;
  if (record.size !== ref.size || record.content_type !== ref.type) {
    return `Attachment ${ref.id} is ${record.size} bytes of ${record.content_type}, not what the message says`;
  }
  return undefined;
}

/** The claims of one update's new messages (`attachments`: message id -> its refs). */
export function claimsOf(attachments: ReadonlyMap<string, AttachmentRef[]>, userId: string, conversationId: string): AttachmentClaim[] {
  return [...attachments].flatMap(([messageId, refs]) =>
    refs.map((ref, position) => ({ ref, messageId, position, userId, conversationId })),
  );
}

/**
 * Judges an update's claims with what is known of the uploads (`known`: id -> record, null
 * for none): throws UpdateRefusedError (FORBIDDEN_UPDATE) for a bad one, a message over
 * `messageMaxBytes`, or an upload another message of this group claimed; returns the claims
 * on uploads not known yet (verifyClaims looks them up once the group is checked).
 */
export function judgeClaims(
  claims: readonly AttachmentClaim[],
  known: ReadonlyMap<string, LinkableAttachment | null>,
  claimed: ReadonlyMap<string, string>,
  messageMaxBytes: number,
): AttachmentClaim[] {
  const totals = new Map<string, number>();
  for (const c of claims) totals.set(c.messageId, (totals.get(c.messageId) ?? 0) + c.ref.size);
  for (const [, total] of totals) {
    if (total > messageMaxBytes)
      throw new UpdateRefusedError('FORBIDDEN_UPDATE', `A message's files may total at most ${messageMaxBytes} bytes`);
  }
  const unknown: AttachmentClaim[] = [];
  for (const c of claims) {
    const other = claimed.get(c.ref.id);
    if (other !== undefined && other !== c.messageId)
      throw new UpdateRefusedError('FORBIDDEN_UPDATE', `Attachment ${c.ref.id} belongs to another message`);
    if (!known.has(c.ref.id)) {
      unknown.push(c);
      continue;
    }
    const problem = claimProblem(c, known.get(c.ref.id) ?? null);
    if (problem) throw new UpdateRefusedError('FORBIDDEN_UPDATE', problem);
  }
  return unknown;
}

/**
 * Looks up the uploads that claims accepted optimistically name; when one of them is not
 * what its claim needs, throws RerunError so the group runs again knowing them (and refuses
 * exactly the updates that claim them).
 */
export async function verifyClaims(trx: Db, claims: readonly AttachmentClaim[]): Promise<void> {
  if (claims.length === 0) return;
  const records = await findAttachmentsToLink(trx, [...new Set(claims.map((c) => c.ref.id))]);
  if (claims.some((c) => claimProblem(c, records.get(c.ref.id) ?? null))) {
    throw new RerunError({ attachments: [...new Set(claims.map((c) => c.ref.id))].map((id) => [id, records.get(id) ?? null]) });
  }
}
