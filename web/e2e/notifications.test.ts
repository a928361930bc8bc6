import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectPostgres } from '../../api/src/db/connect.js';
import { ApiProcess } from '../../api/test/http-client.js';
import { type MintedSubscription, type PushService, startPushService } from '../../api/test/push-service.js';
import { PUSH_ARRIVED } from '../src/sync/notification-messages.js';
import { App, PASSWORD, unique } from './app.js';
import { seriousViolations } from './axe.js';
import { Profile } from './browser.js';
import {
  browserSubscribed,
  clickNotification,
  closeNotifications,
  deliverPush,
  deviceHoldsText,
  fakePushSubscription,
  type ShownNotification,
  shownNotifications,
} from './push.js';
import { gql, signIn, signUp } from './seed.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/**
 * Web Push in real Chromium, end to end: Bo turns notifications on in the browser; Ana writes
 * through the API; the API encrypts and sends the push (RFC 8291/8292) to a real local push
 * service (api/test/push-service.ts), which verifies and decrypts it; the test hands the
 * plaintext to Bo's service worker with DevTools' ServiceWorker.deliverPushMessage, as the
 * browser would. Only the browser's subscribe is replaced (see fakePushSubscription): headless
 * Chromium here reaches no push service.
 */
describe('notifications', () => {
  let api: ApiProcess;
  let pushService: PushService;
  let bo: App;
  let minted: MintedSubscription;
  const others: Profile[] = [];
  const db = connectPostgres(inject('databaseUrl'), 1);
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;
  let ana: { token: string; userId: string };
  let boId: string;
  let conversationId: string;

  beforeAll(async () => {
    // Every push the server sends reaches Bo's browser (the one profile subscribed to it).
    pushService = await startPushService({ onPush: (push) => deliverPush(bo.profile, push.plaintext).catch(() => undefined) });
    api = await ApiProcess.start('e2e-push', inject('databaseUrl'), {
      WEB_DIST: inject('webDist'),
      PUSH_ALLOW_LOCAL_ENDPOINTS: 'true',
      NOTIFICATION_INTERVAL_SECONDS: '0',
    });
    ana = await signUp(api.client.base, anaHandle, 'Ana Push');
    const { webPushPublicKey } = await gql(api.client.base, '{ webPushPublicKey }', {}, ana.token);
    minted = pushService.newSubscription({ applicationServerKey: webPushPublicKey });

    const profile = await Profile.open(`bo-push-${unique()}`, api.client.base, DESKTOP);
    await fakePushSubscription(profile, minted);
    await profile.context.grantPermissions(['notifications'], { origin: new URL(profile.appUrl).origin });
    bo = new App(profile);
    await profile.goto();
    await bo.signUp(boHandle, 'Bo Push');
    boId = (await gql(api.client.base, 'query($h: String!) { userByHandle(handle: $h) { id } }', { h: boHandle }, ana.token)).userByHandle
      .id;
    const direct = await gql(api.client.base, 'mutation($u: ID!) { openDirectConversation(userId: $u) { id } }', { u: boId }, ana.token);
    conversationId = direct.openDirectConversation.id;
    await anaSends('first, before notifications');
  });

  afterAll(async () => {
    await bo?.profile.close();
    for (const p of others) await p.close();
    await api?.stop();
    await pushService?.close();
    await db.destroy();
  });

  async function anaSends(text: string): Promise<void> {
    const q = 'mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }';
    await gql(api.client.base, q, { i: { conversationId, text } }, ana.token);
  }

  /** The subscriptions the server holds with the minted endpoint (the push_subscriptions table). */
  async function serverSubscriptions(): Promise<number> {
    const rows = await db.selectFrom('push_subscriptions').select('device_id').where('endpoint', '=', minted.endpoint).execute();
    return rows.length;
  }

  async function notificationFor(body: string): Promise<ShownNotification> {
    let found: ShownNotification | undefined;
    await expect
      .poll(
        async () => {
          found = (await shownNotifications(bo.profile)).find((n) => n.body === body);
          return found !== undefined;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(true);
    return found as ShownNotification;
  }

  async function screenshots(app: App, name: string): Promise<void> {
    const size = app.page.viewportSize() ?? DESKTOP;
    await app.page.setViewportSize(PHONE);
    await app.profile.screenshot(`${name}-390x844`);
    await app.page.setViewportSize(DESKTOP);
    await app.profile.screenshot(`${name}-1280x800`);
    await app.page.setViewportSize(size);
  }

  it('turns notifications on from the profile: the browser subscribes and the server holds the subscription', async () => {
    await bo.control('Profile').click();
    const state = bo.page.locator('.notify-state');
    await state.filter({ hasText: 'Off for this device.' }).waitFor();
    expect(await serverSubscriptions()).toBe(0);

    await bo.page.getByRole('button', { name: 'Turn on notifications' }).click();
    await state.filter({ hasText: /^On for this device/ }).waitFor();
    await expect.poll(serverSubscriptions).toBe(1);
    expect(await browserSubscribed(bo.page)).toBe(true);
    await expect.poll(() => bo.page.getByRole('switch', { name: 'Show message text in notifications' }).isChecked()).toBe(true);
    await expect.poll(() => bo.page.getByRole('switch', { name: 'Show when I’m online' }).isChecked()).toBe(true);
    expect(await seriousViolations(bo)).toEqual([]);
    await screenshots(bo, 'notifications-profile-on');
  });

  it('with the app closed, a message shows a notification with the sender and text, and is synced in the background', async () => {
    await bo.page.getByRole('link', { name: 'Mailboat' }).click();
    await bo.open('Ana Push'); // the conversation's history is on the device now
    await bo.message('first, before notifications').waitFor();
    await bo.back();
    await bo.profile.closeTabs();

    await anaSends('hello from Ana');
    const shown = await notificationFor('hello from Ana');
    expect(shown).toEqual({ title: 'Ana Push', body: 'hello from Ana', tag: conversationId, data: { conversationId } });
    // The push's worker fetched the message into the device's documents, with no tab open.
    await expect.poll(() => deviceHoldsText(bo.profile, boId, conversationId, 'hello from Ana'), { timeout: 30_000 }).toBe(true);

    // So the app, opened with no network at all, shows it at once.
    await bo.profile.setOffline(true);
    await bo.profile.openTab();
    await bo.open('Ana Push');
    await bo.message('hello from Ana').waitFor();
    await bo.profile.setOffline(false);
    await closeNotifications(bo.profile);
  });

  it('with the app on another screen, clicking the notification opens the conversation', async () => {
    await bo.back();
    await bo.control('Profile').click();
    await anaSends('are you there?');
    const shown = await notificationFor('are you there?');
    expect(shown.title).toBe('Ana Push');

    await clickNotification(bo.profile, conversationId);
    await bo.page.waitForURL((url) => url.hash === `#/c/${conversationId}`);
    await bo.message('are you there?').waitFor();
    await bo.page.getByRole('heading', { name: 'Ana Push' }).waitFor();
    await expect.poll(async () => (await shownNotifications(bo.profile)).length).toBe(0); // the click closed it
  });

  it('shows no notification for the conversation open and visible on screen, and tells the tab instead', async () => {
    await bo.show('Ana Push');
    await bo.page.bringToFront(); // in front of the blank tab deliverPush talks to DevTools through
    // The listener is in place before the push is delivered (awaited), so the message cannot
    // arrive before anyone listens; the page records what it was told.
    await bo.page.evaluate((type) => {
      const told: unknown[] = [];
      (window as unknown as { __told: unknown[] }).__told = told;
      navigator.serviceWorker.addEventListener('message', (e) => {
        if ((e.data as { type?: unknown })?.type === type) told.push(e.data);
      });
    }, PUSH_ARRIVED);
    // Delivered straight to the worker (the payload as the contract has it): the server may
    // itself skip a conversation open on the device; this checks the worker's own rule.
    const payload = {
      v: 1,
      kind: 'message',
      conversationId,
      messageId: 'msg_00000000000000000000000000000000',
      title: 'Ana Push',
      body: 'seen on screen',
      count: 1,
      unreadConversations: 0,
      sentAt: Date.now(),
    };
    await deliverPush(bo.profile, JSON.stringify(payload));
    await expect
      .poll(() => bo.page.evaluate(() => (window as unknown as { __told: unknown[] }).__told), { timeout: 20_000 })
      .toEqual([{ type: PUSH_ARRIVED, conversationId }]);
    expect(await shownNotifications(bo.profile)).toEqual([]);
  });

  it('shows "New message" for a push with no usable payload', async () => {
    await bo.back();
    await deliverPush(bo.profile, 'not json');
    const shown = await notificationFor('New message');
    expect(shown).toMatchObject({ title: 'Mailboat', tag: 'mailboat', data: { conversationId: null } });
    await closeNotifications(bo.profile);
  });

  it('turning notifications off removes the subscription from the server and the browser; signing out does too', async () => {
    await bo.control('Profile').click();
    await bo.page.getByRole('button', { name: 'Turn off notifications' }).click();
    await bo.page.locator('.notify-state').filter({ hasText: 'Off for this device.' }).waitFor();
    await expect.poll(serverSubscriptions).toBe(0);
    expect(await browserSubscribed(bo.page)).toBe(false);

    await bo.page.getByRole('button', { name: 'Turn on notifications' }).click();
    await bo.page
      .locator('.notify-state')
      .filter({ hasText: /^On for this device/ })
      .waitFor();
    await expect.poll(serverSubscriptions).toBe(1);

    await bo.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await bo.page.getByRole('heading', { name: 'Sign in to Mailboat' }).waitFor();
    await expect.poll(serverSubscriptions).toBe(0);
    await expect.poll(() => browserSubscribed(bo.page)).toBe(false);
  });

  it("changes the account's “show message text” setting from the profile", async () => {
    await bo.signIn(boHandle);
    await bo.control('Profile').click();
    const textSwitch = bo.page.getByRole('switch', { name: 'Show message text in notifications' });
    await expect.poll(() => textSwitch.isEnabled()).toBe(true);
    await textSwitch.click();
    await expect.poll(() => textSwitch.isChecked()).toBe(false);
    const { token } = await signIn(api.client.base, boHandle, PASSWORD);
    const { viewer } = await gql(api.client.base, 'query { viewer { settings { showMessageText sharePresence } } }', {}, token);
    expect(viewer.settings).toEqual({ showMessageText: false, sharePresence: true });
  });

  it('offers notifications above the conversation list until answered or dismissed, and says when the browser blocks them', async () => {
    const cy = await App.open(`cy-push-${unique()}`, api.client.base, PHONE);
    others.push(cy.profile);
    await cy.signUp(`cy_${unique()}`, 'Cy Push');
    const prompt = cy.page.getByRole('region', { name: 'Notifications' });
    await prompt.getByText('Get notified of new messages').waitFor();
    expect(await seriousViolations(cy)).toEqual([]);
    await screenshots(cy, 'notifications-prompt');

    await prompt.getByRole('button', { name: 'Not now' }).click();
    await prompt.waitFor({ state: 'detached' });
    await cy.page.reload();
    await cy.home().waitFor();
    expect(await prompt.count()).toBe(0); // dismissed for good on this device

    // Blocked in the browser's site settings: the profile says so, and how to allow it again.
    const cdp = await cy.profile.context.newCDPSession(cy.page);
    await cdp.send('Browser.setPermission', {
      permission: { name: 'notifications' },
      setting: 'denied',
      origin: new URL(cy.profile.appUrl).origin,
    });
    await cy.control('Profile').click();
    await cy.page
      .locator('.notify-state')
      .filter({ hasText: /^Blocked by your browser/ })
      .waitFor();
    await cy.page.getByText('set Notifications to “Allow”', { exact: false }).waitFor();
    expect(await cy.page.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
    await screenshots(cy, 'notifications-profile-blocked');
  });
});
