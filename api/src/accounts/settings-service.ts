import type { AppDeps } from '../context.js';
import { notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';
import * as repo from './settings-repository.js';

/** The account settings, synced across the user's devices (each device reads them from the server). */
export type AccountSettings = { showMessageText: boolean; sharePresence: boolean };

const settingsOf = (row: repo.SettingsRow): AccountSettings => ({
  showMessageText: row.show_message_text,
  sharePresence: row.share_presence,
});

/** The viewer's settings. */
export async function getSettings(deps: AppDeps, viewer: Viewer): Promise<AccountSettings> {
  const row = await repo.findSettings(deps.db, viewer.userId);
  if (!row) throw notFound('User');
  return settingsOf(row);
}

/**
 * Changes the settings given (an omitted or null one stays). showMessageText applies to the
 * notifications sent from now on; sharePresence to presence as read from now on.
 */
export async function updateSettings(
  deps: AppDeps,
  viewer: Viewer,
  input: { showMessageText?: boolean | null; sharePresence?: boolean | null },
): Promise<AccountSettings> {
  const row = await repo.updateSettings(deps.db, viewer.userId, {
    show_message_text: input.showMessageText ?? undefined,
    share_presence: input.sharePresence ?? undefined,
  });
  if (!row) throw notFound('User');
  return settingsOf(row);
}
