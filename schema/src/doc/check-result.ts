import type { AttachmentRef } from './attachments.js';
import type { Integration } from './integration.js';
import type { Placement } from './placement.js';

/** What the write rules (checkUpdate) judged of one update; applyChecked applies exactly that. */
export type CheckResult = {
  /** False when the update holds nothing the document lacks (a duplicate): store nothing. */
  changes: boolean;
  /** Client IDs that write new content (to bind to the writer's device). */
  clients: Set<number>;
  /** Ids of the messages the update creates or changes. */
  messages: Set<string>;
  /** Ids of the messages the update creates (a caller that stores several documents must check they are unused elsewhere). */
  created: Set<string>;
  /** New message id -> the message it replies to (the caller checks it exists in the conversation). */
  replies: Map<string, string>;
  /** New message id -> its attachments (the caller checks each names a completed upload of the writer into this conversation). */
  attachments: Map<string, AttachmentRef[]>;
};

/** The integration model and placements the rules judged the update by. */
export type Judgement = { integration: Integration; placement: Placement };

/** Judgements by the result they belong to: only the very object checkUpdate returned carries one (a copy does not). */
const judgements = new WeakMap<CheckResult, Judgement>();

/** Records what the rules judged for `result` (called by checkUpdate once the update passed). */
export function recordJudgement(result: CheckResult, judgement: Judgement): void {
  judgements.set(result, judgement);
}

/** What the rules judged for `result`, or undefined when `result` did not come from checkUpdate. */
export function judgementOf(result: CheckResult): Judgement | undefined {
  return judgements.get(result);
}
