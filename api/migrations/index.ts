import type { Migration } from 'kysely';
import * as accounts from './2026-11-22T0000-accounts.js';
import * as sync from './2026-11-22T0100-sync.js';
import * as rateLimits from './2026-11-22T0200-rate-limits.js';
import * as refreshSuccessor from './2026-12-06T0000-refresh-successor.js';
import * as messageVersions from './2026-12-07T0000-message-versions.js';
import * as accountSettings from './2026-12-08T0000-account-settings.js';
import * as notifications from './2026-12-08T0100-notifications.js';
import * as presence from './2026-12-08T0200-presence.js';
import * as attachments from './2026-12-09T0000-attachments.js';

/** Every migration, keyed by its timestamped name; applied in key order. */
export const migrations: Record<string, Migration> = {
  '2026-11-22T0000-accounts': accounts,
  '2026-11-22T0100-sync': sync,
  '2026-11-22T0200-rate-limits': rateLimits,
  '2026-12-06T0000-refresh-successor': refreshSuccessor,
  '2026-12-07T0000-message-versions': messageVersions,
  '2026-12-08T0000-account-settings': accountSettings,
  '2026-12-08T0100-notifications': notifications,
  '2026-12-08T0200-presence': presence,
  '2026-12-09T0000-attachments': attachments,
};
