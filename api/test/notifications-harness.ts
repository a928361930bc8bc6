import { afterAll, beforeAll } from 'vitest';
import { startApp } from './environment.js';
import { type Backend, freshDatabase, type Session, type TestApp, TestClient, testEnv } from './harness.js';
import { type MintedSubscription, type PushService, startPushService } from './push-service.js';

/**
 * A test app whose notifications go to a real local push service (push-service.ts): local
 * endpoints allowed (PUSH_ALLOW_LOCAL_ENDPOINTS) unless `env` says otherwise.
 */
export type NotifyWorld = { app: TestApp; push: PushService; client: TestClient };

export function useNotifyWorld(backend: Backend, env: Record<string, string> = {}): () => NotifyWorld {
  let world: NotifyWorld | undefined;
  beforeAll(async () => {
    const push = await startPushService();
    const app = await startApp(testEnv({ PUSH_ALLOW_LOCAL_ENDPOINTS: 'true', ...env }), await freshDatabase(backend));
    const client = new TestClient(app);
    world = { app: { ...app, client }, push, client };
  });
  afterAll(async () => {
    await world?.app.close();
    await world?.push.close();
  });
  return () => {
    if (!world) throw new Error('world not started');
    return world;
  };
}

export const REGISTER = `mutation($input: PushSubscriptionInput!) { registerPushSubscription(input: $input) { id notificationsEnabled } }`;
export const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;

/** Signs up a user with this display name. */
export async function person(client: TestClient, displayName: string): Promise<Session> {
  return client.signUp(displayName.toLowerCase(), displayName);
}

/** Mints a subscription at `push` (bound to the server's VAPID key) and registers it for `session`'s device. */
export async function subscribe(client: TestClient, push: PushService, session: Session): Promise<MintedSubscription> {
  const key = (await client.ok('{ webPushPublicKey }')).webPushPublicKey as string;
  const sub = push.newSubscription({ applicationServerKey: key });
  await client.ok(REGISTER, { input: { endpoint: sub.endpoint, p256dh: sub.p256dh, auth: sub.auth } }, session.accessToken);
  return sub;
}

/** Sends a plain text message; returns its id. */
export async function say(client: TestClient, session: Session, conversationId: string, text: string): Promise<string> {
  return (await client.ok(SEND, { input: { conversationId, text } }, session.accessToken)).sendMessage.id;
}

/** A direct conversation between two sessions. */
export async function direct(client: TestClient, a: Session, b: Session): Promise<string> {
  return (await client.ok('mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: b.userId }, a.accessToken))
    .openDirectConversation.id;
}

/** Pushes received for one subscription. */
export const pushesOf = (push: PushService, sub: MintedSubscription) => push.received.filter((p) => p.subscriptionId === sub.id);

/** Waits until the app's sender found nothing due (everything queued so far was handled). */
export const settled = (app: TestApp) => app.deps.notifications.idle();
