import type { Db } from '../db/connect.js';

/** A user's account settings (users.show_message_text, users.share_presence). */
export type SettingsRow = { show_message_text: boolean; share_presence: boolean };

export async function findSettings(db: Db, userId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('users').select(['show_message_text', 'share_presence']).where('id', '=', userId).executeTakeFirst();
}

/** Changes the settings given (undefined ones stay); returns all of them after the change. */
export async function updateSettings(db: Db, userId: string, change: Partial<SettingsRow>): Promise<SettingsRow | undefined> {
  const set = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length === 0) return findSettings(db, userId);
  return db.updateTable('users').set(set).where('id', '=', userId).returning(['show_message_text', 'share_presence']).executeTakeFirst();
}
