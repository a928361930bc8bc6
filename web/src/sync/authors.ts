import type { Account } from './account.js';
import type { SyncContext } from './context.js';
import { USERS } from './operations.js';

/** Per account: user ids already asked for, so one that cannot be found is not asked for again at every sync. */
const asked = new WeakMap<Account, Set<string>>();

/**
 * Fetches the users who wrote held messages but are unknown on the device (members who left
 * before it synced, say), so their names show instead of "Someone". Each id is asked for
 * once per run of the app. Rejects like any request (NETWORK when offline).
 */
export async function fetchUnknownAuthors(ctx: SyncContext): Promise<void> {
  const { account } = ctx;
  const done = asked.get(account) ?? new Set<string>();
  asked.set(account, done);
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
