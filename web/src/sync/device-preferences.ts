import type { AccountSettingsStore } from './account-settings.js';
import type { Api } from './api.js';
import { isNetworkError, isSignedOutError } from './errors.js';
import { PUSH_STATE } from './operations.js';
import type { PushSubscriptions } from './push-subscription.js';

/**
 * Re-reads, at a sync, what the server keeps of this device and account beyond messages: the
 * account's settings, and whether it still holds the device's push subscription (re-registered
 * when not, see PushSubscriptions.check). Never rejects: a failure waits for the next sync.
 */
export async function refreshPreferences(api: Api, push: PushSubscriptions, settings: AccountSettingsStore): Promise<void> {
  try {
    const { webPushPublicKey, viewer } = await api.query(PUSH_STATE);
    if (!viewer) return;
    await settings.absorb(viewer.settings);
    await push.check(viewer.device.notificationsEnabled, webPushPublicKey);
  } catch (e) {
    if (!isNetworkError(e) && !isSignedOutError(e)) console.warn('Mailboat: could not refresh notification settings', e);
  }
}
