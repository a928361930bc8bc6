import { describe, expect, it } from 'vitest';
import { phonePhoto, upload } from './attachments-harness.js';
import { direct, person, pushesOf, say, subscribe, useNotifyWorld } from './notifications-harness.js';

/**
 * A message from another member reaches the recipient's device through a real push service:
 * the test service verifies the VAPID JWT and decrypts the payload with the device's keys
 * (RFC 8291/8292, its own crypto), so these are the bytes a browser would be woken with.
 */
describe('notification delivery', () => {
  const world = useNotifyWorld('pglite');

  it('sends a direct message as a decryptable, signed push with the contract payload', async () => {
    const { client, push, app } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);
    const messageId = await say(client, ana, conversationId, 'Dinner at eight?');
    const [got] = await push.waitFor(() => pushesOf(push, sub).length === 1).then(() => pushesOf(push, sub));
    expect(got?.payload).toMatchObject({
      v: 1,
      kind: 'message',
      conversationId,
      messageId,
      title: 'Ana',
      body: 'Dinner at eight?',
      count: 1,
      unreadConversations: 1,
    });
    expect(typeof (got?.payload as { sentAt?: unknown } | undefined)?.sentAt).toBe('number');
    expect(got).toMatchObject({ ttl: 86400, urgency: 'high', status: 201 });
    expect(got?.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(got?.vapid).toMatchObject({ aud: push.origin, sub: 'mailto:admin@localhost', publicKey: app.deps.config.vapidPublicKey });
    expect(push.rejected).toEqual([]);
    const device = await client.ok('{ viewer { device { notificationsEnabled } } }', {}, bo.accessToken);
    expect(device.viewer.device.notificationsEnabled).toBe(true);
  });

  it('says what a message of photos or files holds: "📷 Photo", "📎 name", the caption after the sign', async () => {
    const { client, push } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);
    // A conversation each: notifications of one conversation are paced (NOTIFICATION_INTERVAL_SECONDS).
    const send = async (text: string, files: { bytes: Uint8Array; name: string }[]) => {
      const conversationId = await client.createGroup(ana, [bo], 'Files');
      const ids = [];
      for (const f of files) ids.push((await upload(client, ana, conversationId, f.bytes, f.name)).globalId);
      await client.ok(
        'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
        { input: { conversationId, text, attachmentIds: ids } },
        ana.accessToken,
      );
      const n = pushesOf(push, sub).length + 1;
      await push.waitFor(() => pushesOf(push, sub).length === n);
      return (pushesOf(push, sub).at(-1)?.payload as { body: string } | undefined)?.body;
    };
    const photo = { bytes: await phonePhoto(), name: 'beach.jpg' };
    const pdf = { bytes: new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\n'), name: 'report.pdf' };
    expect(await send('', [photo])).toBe('📷 Photo');
    expect(await send('Look at this', [photo])).toBe('📷 Look at this');
    expect(await send('', [photo, photo])).toBe('📷 2 photos');
    expect(await send('', [pdf])).toBe('📎 report.pdf');
    expect(await send('', [photo, pdf])).toBe('📎 2 files');
  });

  it('names the group, sends it with normal urgency, cuts long text, and counts unread conversations', async () => {
    const { client, push } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const cy = await person(client, 'Cy');
    const first = await direct(client, ana, cy);
    const group = await client.createGroup(ana, [cy, bo], 'Weekend plans');
    const sub = await subscribe(client, push, cy);
    await say(client, ana, first, 'hi');
    await push.waitFor(() => pushesOf(push, sub).length === 1);
    await say(client, bo, group, 'x'.repeat(500));
    await push.waitFor(() => pushesOf(push, sub).length === 2);
    const got = pushesOf(push, sub)[1];
    const payload = got?.payload as { title: string; body: string; unreadConversations: number; conversationId: string };
    expect(payload.title).toBe('Bo in Weekend plans');
    expect([...payload.body].length).toBe(240);
    expect(payload.body.endsWith('…')).toBe(true);
    expect(payload.unreadConversations).toBe(2);
    expect(payload.conversationId).toBe(group);
    expect(got?.urgency).toBe('normal');
    // Different conversations, different topics (a push service replaces only the same topic).
    expect(got?.topic).not.toBe(pushesOf(push, sub)[0]?.topic);
  });

  it('says only "New message" when the recipient turned showMessageText off', async () => {
    const { client, push } = world();
    const ana = await person(client, 'Ana');
    const bo = await person(client, 'Bo');
    const conversationId = await direct(client, ana, bo);
    const sub = await subscribe(client, push, bo);
    const settings = await client.ok(
      'mutation { updateSettings(input: { showMessageText: false }) { showMessageText sharePresence } }',
      {},
      bo.accessToken,
    );
    expect(settings.updateSettings).toEqual({ showMessageText: false, sharePresence: true });
    expect((await client.ok('{ viewer { settings { showMessageText } } }', {}, bo.accessToken)).viewer.settings.showMessageText).toBe(
      false,
    );
    await say(client, ana, conversationId, 'the secret plan');
    await push.waitFor(() => pushesOf(push, sub).length === 1);
    const got = pushesOf(push, sub)[0];
    expect(got?.payload).toMatchObject({ title: 'Mailboat', body: 'New message', count: 1 });
    expect(got?.plaintext).not.toContain('secret');
    expect(got?.plaintext).not.toContain('Ana');
  });
});
