import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, unique } from './app.js';

/** The forms of the group and profile screens, each submitted as a person would (Enter or the button). */
describe('a group and a profile, changed through their forms', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let bo: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;
  const cyHandle = `cy_${unique()}`;

  beforeAll(async () => {
    ana = await App.open('ana-groups', appUrl);
    bo = await App.open('bo-groups', appUrl, { width: 390, height: 844 });
    await ana.signUp(anaHandle, 'Ana Group');
    await bo.signUp(boHandle, 'Bo Group');
    const cy = await App.open('cy-groups', appUrl);
    await cy.signUp(cyHandle, 'Cy Group');
    await cy.profile.close();
  });

  afterAll(async () => {
    await ana?.profile.close();
    await bo?.profile.close();
  });

  it('creates a group, adds a member and renames it; the other member sees both', async () => {
    await ana.control('New conversation').click();
    await ana.submitForm('Create group', { 'Group title': 'Plans', 'Members (handles, comma separated)': boHandle });
    await ana.messageLog().waitFor();
    await ana.send('hello group');
    await ana.control('Members').click();
    await ana.page.getByLabel('Add members (handles, comma separated)', { exact: true }).fill(cyHandle);
    await ana.page.getByLabel('Add members (handles, comma separated)', { exact: true }).press('Enter');
    const members = ana.page.getByRole('list', { name: 'Members' });
    await members.getByText('Cy Group', { exact: true }).waitFor();
    expect(await members.getByRole('listitem').count()).toBe(3);
    await ana.submitForm('Rename', { 'Group title': 'Weekend plans' });
    await ana.page.getByText('Weekend plans').first().waitFor();

    await bo.open('Weekend plans');
    expect(await bo.texts()).toEqual(['hello group']);
    await bo.page.getByText('Group · 3 members').waitFor();
  });

  it('saves a new display name, which the others then see', async () => {
    await bo.back();
    await bo.control('Profile').click();
    await bo.submitForm('Save', { 'Display name': 'Bo Renamed' });
    await bo.page.getByText('Saved.').waitFor();

    await ana.back();
    await ana.open('Weekend plans');
    await ana.control('Members').click();
    await ana.page.getByRole('list', { name: 'Members' }).getByText('Bo Renamed', { exact: true }).waitFor();
  });
});
