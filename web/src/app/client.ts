import type { ClientOptions } from '../sync/client-options.js';
import { SyncClient } from '../sync/sync-client.js';
import type { MailboatClient } from './model.js';

export type { ClientOptions };

/** The client as created: the MailboatClient contract, plus lifecycle hooks for tests and page unload. */
export type MailboatClientHandle = MailboatClient & {
  /**
   * Resolves once the app can show: the device's stored session (if any) and its local data are
   * open, or, when they take longer, once the last run's preview (web/src/launch) is shown
   * while they open (views are then marked `preview` and writes throw UNAVAILABLE until they are).
   */
  readonly ready: Promise<void>;
  /** Stops syncing and closes the device's databases; the data stays. */
  close(): Promise<void>;
};

/**
 * The local-first client (web/src/sync): reads and writes the device's own data at once
 * and syncs with the API in the background.
 */
export function createMailboatClient(options: ClientOptions = {}): MailboatClientHandle {
  return new SyncClient(options);
}
