import { ErrorCode } from '@mailboat/schema';
import type { MailboatClient, User } from '../app/model.js';
import { ClientError } from '../app/model.js';

/** Splits "alice, @bob  carol" into handles (without "@", lower-cased, no duplicates). */
export function parseHandles(input: string): string[] {
  const handles = input
    .split(/[\s,;]+/)
    .map((h) => h.replace(/^@/, '').trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(handles)];
}

/** Looks up every handle; rejects with a ClientError naming the ones nobody has. */
export async function findUsers(client: MailboatClient, handles: string[]): Promise<User[]> {
  const found = await Promise.all(handles.map((h) => client.findUser(h)));
  const missing = handles.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    throw new ClientError(ErrorCode.NOT_FOUND, `No one has the handle ${missing.map((h) => `@${h}`).join(', ')}.`);
  }
  return found.filter((u): u is User => u !== null);
}
