import type { DeviceRow } from '../db/tables.js';
import { getOwnDevice } from '../devices/devices-service.js';
import { builder } from './builder.js';

export const DeviceRef = builder.objectRef<DeviceRow>('Device');

builder.node(DeviceRef, {
  description: 'A signed-in app installation. Only its owner can see it.',
  id: { resolve: (d) => d.id },
  loadOne: async (id, ctx) => (ctx.viewer ? ((await getOwnDevice(ctx, ctx.viewer, id)) ?? null) : null),
  fields: (t) => ({
    name: t.exposeString('name'),
    platform: t.exposeString('platform'),
    appVersion: t.exposeString('app_version'),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the device signed in.' }),
    lastSeenAt: t.expose('last_seen_at', { type: 'DateTime', description: 'Last authenticated request, to the minute.' }),
    lastSyncAt: t.expose('last_sync_at', { type: 'DateTime', nullable: true, description: 'Last completed sync; null before the first.' }),
    revokedAt: t.expose('revoked_at', { type: 'DateTime', nullable: true }),
    isCurrent: t.boolean({
      description: 'True for the device making this request.',
      resolve: (d, _, ctx) => d.id === ctx.viewer?.deviceId,
    }),
  }),
});
