import type { UserRow } from '../db/tables.js';
import { builder } from './builder.js';

export const UserRef = builder.objectRef<UserRow>('User');

builder.node(UserRef, {
  description: 'A person with a Mailboat account. Visible to any signed-in user, so they can be added to conversations.',
  id: { resolve: (u) => u.id },
  loadMany: async (ids, ctx) => {
    if (!ctx.viewer) return ids.map(() => null);
    return Promise.all(ids.map(async (id) => (await ctx.loaders.user.load(id)) ?? null));
  },
  fields: (t) => ({
    handle: t.exposeString('handle', { description: 'Unique, lower-case; how people find each other.' }),
    displayName: t.exposeString('display_name'),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
  }),
});
