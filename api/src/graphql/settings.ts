import { type AccountSettings, getSettings, updateSettings } from '../accounts/settings-service.js';
import { requireViewer } from '../auth/authenticate.js';
import { builder } from './builder.js';
import { ViewerRef } from './viewer.js';

export const AccountSettingsRef = builder.objectRef<AccountSettings>('AccountSettings').implement({
  description: "The signed-in user's settings, the same on all their devices.",
  fields: (t) => ({
    showMessageText: t.exposeBoolean('showMessageText', {
      description:
        'Notifications carry the sender and the message text; false: only "New message". The push service and the lock screen see what a notification carries.',
    }),
    sharePresence: t.exposeBoolean('sharePresence', {
      description: "Others see when you are online and last seen; false hides it, and you then see nobody's.",
    }),
  }),
});

const UpdateSettingsInput = builder.inputType('UpdateSettingsInput', {
  description: 'The settings to change; an omitted (or null) one stays as it is.',
  fields: (t) => ({
    showMessageText: t.boolean(),
    sharePresence: t.boolean(),
  }),
});

builder.objectField(ViewerRef, 'settings', (t) =>
  t.field({
    type: AccountSettingsRef,
    resolve: (v, _, ctx) => getSettings(ctx, v),
  }),
);

builder.mutationField('updateSettings', (t) =>
  t.field({
    type: AccountSettingsRef,
    description:
      "Changes the viewer's settings and returns them all. Publishes no event: the user's other devices read them again when they next sync.",
    args: { input: t.arg({ type: UpdateSettingsInput, required: true }) },
    resolve: (_, { input }, ctx) => updateSettings(ctx, requireViewer(ctx), input),
  }),
);
