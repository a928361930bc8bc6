import { isSignedOutError } from './errors.js';
import { getMeta, openAccountDb, readCurrentAccount, setMeta } from './local-db.js';
import { REGISTER_PUSH } from './operations.js';
import { type PushSubscriptionFields, subscriptionFields } from './push-keys.js';
import { type WorkerApiOptions, workerApi } from './worker-api.js';

export type { PushSubscriptionFields };

export type RotatedSubscriptionOptions = WorkerApiOptions & {
  indexedDB: IDBFactory;
  /** The browser's new subscription (after `pushsubscriptionchange`). */
  subscription: PushSubscription;
};

/**
 * What the worker did with a rotated subscription: REGISTERED with the API (and remembered as
 * the device's), or left to the app, which re-registers at its next launch when the browser's
 * subscription is not the one it remembers (push-subscription.ts): no account, notifications
 * not turned on here, a BODY refresh token (the app alone rotates it), or signed out.
 */
export type RotatedResult = 'REGISTERED' | 'NO_ACCOUNT' | 'NOT_ENABLED' | 'NO_COOKIE' | 'SIGNED_OUT';

/**
 * Registers the subscription the browser rotated to with the API, as the device's
 * (`registerPushSubscription` replaces the device's previous one), when the person turned
 * notifications on on this device. Rejects (ClientError) when the server cannot be reached
 * or refuses it: the app's launch check then tries again.
 */
export async function registerRotatedSubscription(options: RotatedSubscriptionOptions): Promise<RotatedResult> {
  const userId = await readCurrentAccount(options.indexedDB);
  if (!userId) return 'NO_ACCOUNT';
  const db = await openAccountDb(options.indexedDB, userId);
  try {
    if ((await getMeta(db, 'pushEndpoint')) === undefined) return 'NOT_ENABLED';
    if ((await getMeta(db, 'refreshToken')) !== undefined) return 'NO_COOKIE';
    try {
      await workerApi(options, db, userId).mutation(REGISTER_PUSH, { input: subscriptionFields(options.subscription) });
    } catch (e) {
      if (isSignedOutError(e)) return 'SIGNED_OUT';
      throw e;
    }
    await setMeta(db, 'pushEndpoint', options.subscription.endpoint);
    return 'REGISTERED';
  } finally {
    db.close();
  }
}
