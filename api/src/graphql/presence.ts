import type { Presence } from '../presence/presence-service.js';
import { builder } from './builder.js';
import { asUser } from './loaders.js';
import { UserRef } from './user.js';

export const PresenceRef = builder.objectRef<Presence>('Presence').implement({
  description:
    'Whether someone is online: while one of their devices holds an events stream, on any server. Otherwise when they were last seen.',
  fields: (t) => ({
    online: t.exposeBoolean('online'),
    lastSeenAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Null while online (and for someone never seen online).',
      resolve: (p) => (p.online ? null : p.lastSeenAt),
    }),
  }),
});

builder.objectFields(UserRef, (t) => ({
  presence: t.field({
    type: PresenceRef,
    nullable: true,
    description:
      'Null when hidden (their setting or yours: AccountSettings.sharePresence), for yourself, and for people you share no conversation with. A list of users costs one query.',
    resolve: async (u, _, ctx) => (ctx.viewer ? ((await ctx.loaders.presence.load(asUser(ctx.viewer.userId, u.id))) ?? null) : null),
  }),
}));
