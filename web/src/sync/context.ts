import type { Account } from './account.js';
import type { Api } from './api.js';

/** What the sync steps work with: the API and the signed-in account's local state. */
export type SyncContext = {
  api: Api;
  account: Account;
  /** Reports first-sync progress (null when done). */
  setProgress: (progress: { done: number; total: number } | null) => void;
  /** Told which conversations received remote updates (to mark them delivered). */
  received: (conversationId: string) => void;
  /** Told when the server refused a write: the device's clock for new messages starts over (HybridClock.rewind). */
  refused?: () => void;
};
