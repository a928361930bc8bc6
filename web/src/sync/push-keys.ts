import { ErrorCode } from '@mailboat/schema';
import { ClientError } from '../app/model.js';

/** The three fields of a PushSubscription the API stores (PushSubscriptionInput). */
export type PushSubscriptionFields = { endpoint: string; p256dh: string; auth: string };

/** A subscription's endpoint and keys, as its toJSON() gives them (base64url); throws BAD_USER_INPUT when a key is missing. */
export function subscriptionFields(subscription: PushSubscription): PushSubscriptionFields {
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!json.endpoint || !p256dh || !auth)
    throw new ClientError(ErrorCode.BAD_USER_INPUT, 'The browser gave a push subscription without its keys');
  return { endpoint: json.endpoint, p256dh, auth };
}

/** A base64url string (the VAPID public key) as bytes, for pushManager.subscribe's applicationServerKey. */
export function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Whether `key` (an applicationServerKey the browser reports, or null) is the bytes of `expected`. */
export function sameKey(key: ArrayBuffer | null | undefined, expected: Uint8Array): boolean {
  if (!key) return false;
  const a = new Uint8Array(key);
  return a.length === expected.length && a.every((x, i) => x === expected[i]);
}
