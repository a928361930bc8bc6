import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiProcess } from '../../api/test/http-client.js';
import { REPLAY_TAG } from '../src/sync/replay-request.js';
import { App, PASSWORD, unique } from './app.js';
import type { Profile } from './browser.js';
import { ApiProxy } from './proxy.js';
import { gql, signIn, signUp } from './seed.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Access tokens live this long here, so a replay after a short wait needs a fresh one. */
const ACCESS_TOKEN_TTL_SECONDS = 10;

/**
 * The service worker's background replay in real Chromium: Bo writes in the browser; Ana
 * reads through the API. The browser talks to an API process of its own (short-lived access
 * tokens) through a proxy that counts pushes and can play "the API is down".
 */
describe('writes replayed in the background', () => {
  let api: ApiProcess;
  let proxy: ApiProxy;
  const profiles: Profile[] = [];

  beforeAll(async () => {
    api = await ApiProcess.start('e2e-replay', inject('databaseUrl'), {
      WEB_DIST: inject('webDist'),
      ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
    });
    proxy = await ApiProxy.start(api.client.base);
  });

  afterEach(async () => {
    for (const p of profiles.splice(0)) await p.close();
    proxy.setDown(false);
  });

  afterAll(async () => {
    await proxy?.close();
    await api?.stop();
  });

  /** Ana (through the API) and Bo (in the browser, signed up, in a direct conversation with Ana that has one message). */
  async function anaAndBo() {
    const anaHandle = `ana_${unique()}`;
    await signUp(api.client.base, anaHandle, 'Ana Replay');
    const bo = await App.open(`bo-replay-${unique()}`, proxy.url);
    profiles.push(bo.profile);
    const boHandle = `bo_${unique()}`;
    await bo.signUp(boHandle, 'Bo Replay');
    await bo.startDirect(anaHandle);
    await bo.send('hello');
    await bo.expectTick('hello', 'sent');
    return { bo, boHandle, anaHandle };
  }

  /** Every message text in each of Ana's conversations, by title ('direct' for the direct one): Ana's view on the server. */
  async function anaSees(anaHandle: string): Promise<Record<string, string[]>> {
    const { token } = await signIn(api.client.base, anaHandle, PASSWORD);
    const list = await gql(api.client.base, 'query { viewer { conversations(first: 10) { edges { node { id title } } } } }', {}, token);
    const seen: Record<string, string[]> = {};
    for (const { node } of list.viewer.conversations.edges) {
      const q = 'query($id: ID!) { conversation(id: $id) { messages(last: 50) { edges { node { text } } } } }';
      const data = await gql(api.client.base, q, { id: node.id }, token);
      seen[node.title ?? 'direct'] = data.conversation.messages.edges.map((e: { node: { text: string } }) => e.node.text);
    }
    return seen;
  }

  it('delivers what was written offline after every tab closed, with a token refreshed after the old one expired', async () => {
    const { bo, anaHandle } = await anaAndBo();
    await bo.profile.setOffline(true);
    await bo.send('written offline');
    await bo.send('and closed the app');
    expect(await bo.tick('and closed the app')).toBe('pending');
    const pushed = proxy.updatesPushed;
    const refreshes = proxy.refreshed.length;

    await bo.profile.closeTabs();
    await sleep((ACCESS_TOKEN_TTL_SECONDS + 1) * 1000); // every access token the app had has expired
    await bo.profile.setOffline(false); // Chrome fires the Background Sync event: no tab is open

    await expect
      .poll(async () => (await anaSees(anaHandle)).direct, { timeout: 60_000, interval: 500 })
      .toEqual(['hello', 'written offline', 'and closed the app']);
    expect(proxy.updatesPushed - pushed).toBe(2);
    const replayToken = proxy.pushes.at(-1)?.bearer;
    expect(proxy.refreshed.slice(refreshes)).toContain(replayToken); // refreshed through the cookie for the replay

    await bo.profile.openTab();
    await bo.open('Ana Replay');
    await bo.expectTick('and closed the app', 'sent');
    await bo.expectTick('written offline', 'sent');
    expect(await bo.texts()).toEqual(['hello', 'written offline', 'and closed the app']);
    await bo
      .syncStatus()
      .filter({ hasText: /online/i })
      .waitFor();
    expect(proxy.updatesPushed - pushed).toBe(2); // the reopened app pushed nothing again
  });

  it('replays a write made while the API was down once it is back, with nothing duplicated', async () => {
    const { bo, anaHandle } = await anaAndBo();
    const pushed = proxy.updatesPushed;
    proxy.setDown(true);
    await bo.send('during the outage');
    await bo.page.waitForTimeout(1000); // the app's push and the worker's first replay both fail
    expect(await bo.tick('during the outage')).toBe('pending');

    proxy.setDown(false);
    await bo.profile.dispatchSync(REPLAY_TAG); // Chrome would retry after a backoff of minutes
    await bo.expectTick('during the outage', 'sent');
    expect((await anaSees(anaHandle)).direct).toEqual(['hello', 'during the outage']);
    expect(proxy.updatesPushed - pushed).toBe(1);
  });

  it('delivers writes still pending when the browser restarts', async () => {
    const { bo, anaHandle } = await anaAndBo();
    const pushed = proxy.updatesPushed;
    await bo.profile.setOffline(true);
    await bo.send('pending across a browser restart');
    await bo.profile.restart();
    await bo.profile.setOffline(false);
    await expect
      .poll(async () => (await anaSees(anaHandle)).direct, { timeout: 60_000, interval: 500 })
      .toEqual(['hello', 'pending across a browser restart']);
    await bo.show('Ana Replay');
    await bo.expectTick('pending across a browser restart', 'sent');
    expect(proxy.updatesPushed - pushed).toBe(1);
  });

  it('shows a refused write as failed, and still delivers the writes queued behind it', async () => {
    const { bo, anaHandle } = await anaAndBo();
    await bo.profile.setOffline(true);
    // A run of the app with the clock an hour fast: the server refuses the message it writes.
    // The reaction queued behind it carries no time of its own, so it is fine.
    await bo.profile.restart('/', (page) => page.clock.setFixedTime(Date.now() + 3_600_000));
    await bo.open('Ana Replay');
    await bo.send('from a clock an hour fast');
    await bo.react('hello', '👍');
    await bo.profile.closeTabs();
    await bo.profile.setOffline(false);
    // The restarted browser fired the pending sync at launch, before the offline emulation
    // reached the worker; it failed against the cut network, and Chrome now backs off.
    await bo.profile.dispatchSync(REPLAY_TAG);

    await expect.poll(() => anaSeesReactions(anaHandle), { timeout: 60_000, interval: 500 }).toEqual(['hello 👍']);
    expect((await anaSees(anaHandle)).direct).toEqual(['hello']);

    await bo.profile.openTab();
    await bo.open('Ana Replay');
    await bo.expectTick('from a clock an hour fast', 'failed');
    await expect
      .poll(() =>
        bo
          .message('from a clock an hour fast')
          .getByText(/^Not sent/)
          .isVisible(),
      )
      .toBe(true);
    await expect.poll(() => bo.message('hello').getByText('👍').first().isVisible()).toBe(true);
    await bo.profile.screenshot('replay-refused-write');
  });

  it('asks before a sign-out would lose unsent writes, and sends them when it can', async () => {
    const { bo, anaHandle } = await anaAndBo();
    await bo.profile.setOffline(true);
    await bo.send('not sent yet');
    await bo.control('Profile').click();
    await bo.page.getByText('1 change has not been sent yet').waitFor();
    await bo.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await bo.page.getByRole('button', { name: 'Sign out, even if it is lost' }).waitFor();
    await bo.profile.screenshot('sign-out-with-unsent-writes');
    await bo.page.getByRole('button', { name: 'Cancel' }).click();
    expect(await bo.page.getByRole('heading', { name: 'Profile', level: 1 }).isVisible()).toBe(true);

    await bo.profile.setOffline(false);
    await bo.page.getByText('1 change has not been sent yet').waitFor({ state: 'detached', timeout: 30_000 });
    expect((await anaSees(anaHandle)).direct).toEqual(['hello', 'not sent yet']);
    await bo.page.getByRole('button', { name: 'Sign out', exact: true }).click(); // nothing pending: no question asked
    await bo.page.getByRole('heading', { name: 'Sign in to Mailboat' }).waitFor();
  });

  /** Ana's direct conversation as "text emoji…" per message (the reactions she sees on the server). */
  async function anaSeesReactions(anaHandle: string): Promise<string[]> {
    const { token } = await signIn(api.client.base, anaHandle, PASSWORD);
    const list = await gql(api.client.base, 'query { viewer { conversations(first: 1) { edges { node { id } } } } }', {}, token);
    const q = 'query($id: ID!) { conversation(id: $id) { messages(last: 10) { edges { node { text reactions { emoji } } } } } }';
    const data = await gql(api.client.base, q, { id: list.viewer.conversations.edges[0].node.id }, token);
    return data.conversation.messages.edges.map((e: { node: { text: string; reactions: { emoji: string }[] } }) =>
      [e.node.text, ...e.node.reactions.map((r) => r.emoji)].join(' '),
    );
  }
});
