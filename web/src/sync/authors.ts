import type { SyncContext } from './context.js';
import { USERS } from './operations.js';

/**
 * Fetches the users who wrote held messages but are unknown on the device (members who left
 * before it synced, say), so their names show instead of "Someone". Each id is asked for
 * once per run of the app. Rejects like any request (NETWORK when offline).
 */
export async function fetchUnknownAuthors(ctx: SyncContext): Promise<void> {
  const { account } = ctx;
  const done = account.authorsAsked;
  const unknown = new Set<string>();
  for (const conversationId of account.conversations.keys()) {
    for (const m of account.messages(conversationId)) if (!account.users.has(m.author) && !done.has(m.author)) unknown.add(m.author);
  }
  const ids = [...unknown];
  for (let i = 0; i < ids.length; i += 100) {
    const batch = ids.slice(i, i + 100);
    const data = await ctx.api.query(USERS, { ids: batch });
    for (const id of batch) done.add(id);
    await account.putUsers(data.nodes.flatMap((node) => (node && 'id' in node ? [node] : [])));
  }
}
