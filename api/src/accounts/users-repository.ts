import type { Db } from '../db/connect.js';
import type { NewUser, UserRow } from '../db/tables.js';

export async function insertUser(db: Db, user: NewUser): Promise<UserRow> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export async function findUserByHandle(db: Db, handle: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('handle', '=', handle).executeTakeFirst();
}

export async function findUsersByIds(db: Db, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

export async function updateDisplayName(db: Db, id: string, displayName: string): Promise<UserRow> {
  return db.updateTable('users').set({ display_name: displayName }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
