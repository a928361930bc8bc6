import type { LinkableAttachment } from '../../attachments/attachments-repository.js';

/**
 * What earlier attempts of a group commit learnt from the database: message ids taken
 * elsewhere, reply targets (`${conversationId}:${messageId}`) the conversation has or lacks,
 * and the uploads new messages name (null: no such upload).
 */
export type Known = { taken: Set<string>; present: Set<string>; absent: Set<string>; attachments: Map<string, LinkableAttachment | null> };

export const nothingKnown = (): Known => ({ taken: new Set(), present: new Set(), absent: new Set(), attachments: new Map() });

/**
 * Thrown inside a group's transaction (which then rolls back) when the group must run again
 * knowing more: message ids taken elsewhere, reply targets the conversation has or lacks.
 */
export class RerunError extends Error {
  readonly taken: string[];
  readonly present: string[];
  readonly absent: string[];
  readonly attachments: [string, LinkableAttachment | null][];
  constructor(learnt: {
    taken?: string[];
    present?: string[];
    absent?: string[];
    attachments?: [string, LinkableAttachment | null][];
  }) {
    super('the group runs again');
    this.taken = learnt.taken ?? [];
    this.present = learnt.present ?? [];
    this.absent = learnt.absent ?? [];
    this.attachments = learnt.attachments ?? [];
  }
}

/** Adds what `rerun` learnt to `known`, for the next attempt. */
export function learn(known: Known, rerun: RerunError): void {
  for (const id of rerun.taken) known.taken.add(id);
  for (const pair of rerun.present) known.present.add(pair);
  for (const pair of rerun.absent) known.absent.add(pair);
  for (const [id, record] of rerun.attachments) known.attachments.set(id, record);
}
