import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, PASSWORD, unique } from './app.js';
import { gql, signIn } from './seed.js';

const MESSAGES = `query($id: ID!) { conversation(id: $id) { messages(last: 100) { edges { node { text } } } } }`;

describe('a device whose IndexedDB was wiped', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let bo: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    ana = await App.open('ana-wiped', appUrl);
    bo = await App.open('bo-wiped', appUrl);
    await ana.signUp(anaHandle, 'Ana Wiped');
    await bo.signUp(boHandle, 'Bo Wiped');
  });

  afterAll(async () => {
    await ana?.profile.close();
    await bo?.profile.close();
  });

  it('bootstraps again from the server and sends nothing twice', async () => {
    await ana.startDirect(boHandle);
    for (const text of ['one', 'two', 'three']) await ana.send(text);
    await bo.open('Ana Wiped');
    await ana.expectTick('three', 'read');

    const cdp = await ana.profile.context.newCDPSession(ana.page);
    await cdp.send('Storage.clearDataForOrigin', { origin: new URL(ana.profile.appUrl).origin, storageTypes: 'indexeddb' });
    await ana.page.reload();
    await ana
      .home()
      .or(ana.page.getByRole('button', { name: 'Sign in' }))
      .first()
      .waitFor();
    if (await ana.page.getByRole('button', { name: 'Sign in' }).isVisible()) await ana.signIn(anaHandle);
    await ana.show('Bo Wiped');
    await expect.poll(() => ana.texts()).toEqual(['one', 'two', 'three']);
    await ana.send('four');
    await bo.message('four').waitFor();

    const seeder = await signIn(appUrl, boHandle, PASSWORD);
    const list = await gql(appUrl, '{ viewer { conversations(first: 5) { edges { node { id } } } } }', {}, seeder.token);
    const id = list.viewer.conversations.edges[0].node.id;
    const onServer = await gql(appUrl, MESSAGES, { id }, seeder.token);
    expect(onServer.conversation.messages.edges.map((e: { node: { text: string } }) => e.node.text)).toEqual([
      'one',
      'two',
      'three',
      'four',
    ]);
    expect(await bo.texts()).toEqual(['one', 'two', 'three', 'four']);
  });
});
