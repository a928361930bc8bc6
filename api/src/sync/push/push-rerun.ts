/**
 * What earlier attempts of a group commit learnt from the database: message ids taken
 * elsewhere, and reply targets (`${conversationId}:${messageId}`) the conversation has or lacks.
 */
export type Known = { taken: Set<string>; present: Set<string>; absent: Set<string> };

export const nothingKnown = (): Known => ({ taken: new Set(), present: new Set(), absent: new Set() });

/**
 * Thrown inside a group's transaction (which then rolls back) when the group must run again
 * knowing more: message ids taken elsewhere, reply targets the conversation has or lacks.
 */
export class RerunError extends Error {
  readonly taken: string[];
  readonly present: string[];
  readonly absent: string[];
  constructor(learnt: { taken?: string[]; present?: string[]; absent?: string[] }) {
    super('the group runs again');
    this.taken = learnt.taken ?? [];
    this.present = learnt.present ?? [];
    this.absent = learnt.absent ?? [];
  }
}

/** Adds what `rerun` learnt to `known`, for the next attempt. */
export function learn(known: Known, rerun: RerunError): void {
  for (const id of rerun.taken) known.taken.add(id);
  for (const pair of rerun.present) known.present.add(pair);
  for (const pair of rerun.absent) known.absent.add(pair);
}
