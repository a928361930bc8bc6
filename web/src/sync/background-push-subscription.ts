import { getMeta, setMeta } from './local-db.js';
import { REGISTER_PUSH } from './operations.js';
import { type PushSubscriptionFields, subscriptionFields } from './push-keys.js';
import { inWorkerAccount, type WorkerAccountSkip, type WorkerApiOptions } from './worker-api.js';

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
export type RotatedResult = 'REGISTERED' | 'NOT_ENABLED' | WorkerAccountSkip;

/**
 * Registers the subscription the browser rotated to with the API, as the device's
 * (`registerPushSubscription` replaces the device's previous one), when the person turned
 * notifications on on this device. Rejects (ClientError) when the server cannot be reached
 * or refuses it: the app's launch check then tries again.
 */
export function registerRotatedSubscription(options: RotatedSubscriptionOptions): Promise<RotatedResult> {
  return inWorkerAccount(
    options,
    async (db) => ((await getMeta(db, 'pushEndpoint')) === undefined ? 'NOT_ENABLED' : null),
    async (api, db) => {
      await api.mutation(REGISTER_PUSH, { input: subscriptionFields(options.subscription) });
      await setMeta(db, 'pushEndpoint', options.subscription.endpoint);
      return 'REGISTERED' as const;
    },
  );
}
