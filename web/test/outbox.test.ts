import { describe, expect, it } from 'vitest';
import { directPair, signUp, startApi, texts, until, useDevices } from './harness.js';

const api = startApi();

describe('the outbox', () => {
  const device = useDevices(api);

  it('keeps a write made offline across a restart and pushes it once when back online', async () => {
    const ana = device('ana phone');
    const bo = device('bo phone');
    const { c: conversationId } = await directPair(ana, bo);
    await ana.client.syncNow();
    await bo.close(); // Bo's device is off until the end: nothing gets delivered meanwhile

    ana.offline = true;
    const id = ana.client.send(conversationId, '  Lunch at noon?  ');
    // Applied synchronously: visible before any await, pending, and counted.
    const [message] = ana.client.conversation(conversationId).messages;
    expect(message).toMatchObject({ id, text: 'Lunch at noon?', mine: true, tick: 'pending' });
    expect(ana.client.syncState().pending).toBe(1);
    await ana.client.syncNow();
    expect(ana.client.syncState()).toMatchObject({ network: 'offline', pending: 1 });

    await ana.restart();
    expect(ana.client.session()?.user.displayName).toBe('Ana');
    expect(texts(ana, conversationId)).toEqual(['Lunch at noon?']);
    expect(ana.client.conversation(conversationId).messages[0]?.tick).toBe('pending');
    expect(ana.client.syncState().pending).toBe(1);

    const pushesBefore = ana.count('Push');
    ana.offline = false;
    await ana.client.syncNow();
    await until(() => ana.client.syncState().pending === 0, 'the outbox to empty');
    expect(ana.client.conversation(conversationId).messages[0]?.tick).toBe('sent');
    expect(ana.count('Push') - pushesBefore).toBe(1);

    await bo.restart();
    await bo.client.syncNow();
    await until(() => texts(bo, conversationId).includes('Lunch at noon?'), 'Bo to receive the message');
    expect(bo.client.conversation(conversationId).messages[0]).toMatchObject({ id, mine: false, tick: null });
    expect(bo.client.conversation(conversationId).messages[0]?.author.displayName).toBe('Ana');
  });

  it('opens signed in with the network off, showing local data', async () => {
    const cy = device('cy laptop');
    await signUp(cy, 'cy', 'Cy');
    const group = await cy.client.createGroup('Notes to self', []);
    cy.client.send(group, 'remember the milk');
    await until(() => cy.client.syncState().pending === 0, 'the write to be pushed');
    cy.offline = true;
    await cy.restart();
    expect(cy.client.session()?.user.displayName).toBe('Cy');
    expect(cy.client.conversations().map((c) => c.title)).toEqual(['Notes to self']);
    expect(texts(cy, group)).toEqual(['remember the milk']);
    expect(cy.client.conversation(group).messages[0]?.tick).toBe('sent');
  });
});
