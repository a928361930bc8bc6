import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { type PushService, startPushService } from './push-service.js';

/**
 * The test push service itself: it accepts what a correct sender makes (here the web-push
 * library, sent with fetch) and refuses what a real push service or browser would refuse, so
 * the notification tests that rely on it can fail.
 */
describe('test push service', () => {
  let service: PushService;
  const vapid = webpush.generateVAPIDKeys();
  beforeAll(async () => {
    service = await startPushService();
  });
  afterAll(async () => {
    await service.close();
  });

  const send = async (
    endpoint: string,
    keys: { p256dh: string; auth: string },
    payload: string,
    tamper?: (d: webpush.RequestDetails) => void,
  ) => {
    const details = webpush.generateRequestDetails({ endpoint, keys }, payload, {
      vapidDetails: { subject: 'mailto:admin@example.com', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      TTL: 60,
      urgency: 'high',
      topic: 'abc',
    });
    tamper?.(details);
    const res = await fetch(details.endpoint, {
      method: details.method,
      headers: details.headers as Record<string, string>,
      body: details.body ? new Uint8Array(details.body) : undefined,
    });
    return res.status;
  };

  it('decrypts and verifies a correct push, recording its headers', async () => {
    const sub = service.newSubscription({ applicationServerKey: vapid.publicKey });
    const text = JSON.stringify({ hello: 'wörld', long: 'x'.repeat(3000) });
    expect(await send(sub.endpoint, sub, text)).toBe(201);
    const got = service.received.find((p) => p.subscriptionId === sub.id);
    expect(got?.payload).toEqual(JSON.parse(text));
    expect(got).toMatchObject({ ttl: 60, urgency: 'high', topic: 'abc', status: 201 });
    expect(got?.vapid).toMatchObject({ aud: service.origin, sub: 'mailto:admin@example.com', publicKey: vapid.publicKey });
  });

  it('refuses a push signed by another key, a tampered body, and a missing TTL', async () => {
    const sub = service.newSubscription({ applicationServerKey: webpush.generateVAPIDKeys().publicKey });
    expect(await send(sub.endpoint, sub, '{}')).toBe(403);
    const open = service.newSubscription();
    expect(
      await send(open.endpoint, open, '{}', (d) => {
        const body = d.body as Buffer;
        body.writeUInt8(body.readUInt8(body.length - 1) ^ 1, body.length - 1);
      }),
    ).toBe(400);
    expect(
      await send(open.endpoint, open, '{}', (d) => {
        delete d.headers.TTL;
      }),
    ).toBe(400);
    const other = service.newSubscription();
    // Encrypted for another subscription's keys: does not decrypt.
    expect(await send(open.endpoint, other, '{}')).toBe(400);
    expect(service.rejected.map((r) => r.status)).toEqual([403, 400, 400, 400]);
    expect(service.received.filter((p) => p.subscriptionId === open.id)).toEqual([]);
  });

  it('answers the statuses a test chose, then 201', async () => {
    const sub = service.newSubscription();
    service.answer(sub.id, [{ status: 429, retryAfter: '3' }, { status: 500 }]);
    expect(await send(sub.endpoint, sub, '{"n":1}')).toBe(429);
    expect(await send(sub.endpoint, sub, '{"n":2}')).toBe(500);
    expect(await send(sub.endpoint, sub, '{"n":3}')).toBe(201);
    service.answer(sub.id, [], { status: 410 });
    expect(await send(sub.endpoint, sub, '{"n":4}')).toBe(410);
    expect(
      service
        .delivered()
        .filter((p) => p.subscriptionId === sub.id)
        .map((p) => p.payload),
    ).toEqual([{ n: 3 }]);
  });
});
