import { describe, expect, it } from 'vitest';
import { signUp, startApi, until, useDevices } from './harness.js';

const api = startApi();

describe('authors', () => {
  const device = useDevices(api);

  it('who left before a device synced still show by name', async () => {
    const ana = device('ana');
    const cy = device('cy');
    await signUp(ana, 'ana', 'Ana');
    const cyHandle = await signUp(cy, 'cy', 'Cy Left');
    const group = await ana.client.createGroup('Trip', [(await ana.client.findUser(cyHandle))!.id]);
    await cy.client.syncNow();
    cy.client.send(group, 'bye all');
    await until(() => cy.client.syncState().pending === 0, 'Cy to push');
    await cy.client.leave(group);

    const laptop = device('ana laptop');
    await laptop.client.signIn({ handle: ana.client.session()!.user.handle, password: 'correct horse battery' });
    await until(() => laptop.client.conversation(group).messages.length === 1, 'the history to load');
    await until(() => laptop.client.conversation(group).messages[0]?.author.displayName === 'Cy Left', "the author's name");
    expect(laptop.count('Users')).toBe(1);
    await laptop.client.syncNow();
    expect(laptop.count('Users')).toBe(1); // known now: not asked again
  });
});
