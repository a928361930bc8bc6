import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { App, unique } from './app.js';

describe('two people chatting, one of them offline for a while', () => {
  const appUrl = inject('appUrl');
  let ana: App;
  let bo: App;
  const anaHandle = `ana_${unique()}`;
  const boHandle = `bo_${unique()}`;

  beforeAll(async () => {
    ana = await App.open('ana', appUrl);
    bo = await App.open('bo', appUrl, { width: 360, height: 740 });
    await ana.signUp(anaHandle, 'Ana Lima');
    await bo.signUp(boHandle, 'Bo Berg');
  });

  afterAll(async () => {
    await ana?.profile.close();
    await bo?.profile.close();
  });

  it('shows a sent message at once, delivers it, and ticks it read when the other opens it', async () => {
    await ana.startDirect(boHandle);
    await ana.send('hello bo');
    await ana.profile.screenshot('conversation-desktop');
    await bo.open('Ana Lima');
    expect(await bo.texts()).toEqual(['hello bo']);
    await ana.expectTick('hello bo', 'read');
    await bo.send('hi ana');
    await ana.message('hi ana').waitFor();
    await bo.expectTick('hi ana', 'read');
    await bo.profile.screenshot('conversation-phone');
  });

  it('keeps writing offline, then merges both sides in the same order with no dialog', async () => {
    await bo.profile.setOffline(true);
    await bo.send('written offline');
    await bo.send('also offline');
    await bo.edit('written offline', 'written offline, then edited');
    await bo.react('hello bo', '👍');
    expect(await bo.tick('written offline, then edited')).toBe('pending');
    expect(await bo.tick('also offline')).toBe('pending');
    await expect.poll(() => bo.syncStatus().getAttribute('data-network')).toBe('offline');
    expect(Number(await bo.syncStatus().getAttribute('data-pending'))).toBeGreaterThanOrEqual(2);
    await bo.profile.screenshot('offline-pending-phone');

    await ana.send('while you were away');
    await bo.profile.setOffline(false);

    await bo.expectTick('also offline', 'read');
    await bo.expectTick('written offline, then edited', 'read');
    await ana.message('written offline, then edited').waitFor();
    await bo.message('while you were away').waitFor();
    await expect.poll(() => ana.texts()).toEqual(await bo.texts());
    const order = await ana.texts();
    expect(order.slice(0, 2)).toEqual(['hello bo', 'hi ana']);
    expect(new Set(order)).toEqual(new Set(['hello bo', 'hi ana', 'written offline, then edited', 'also offline', 'while you were away']));
    expect(order).toHaveLength(5);
    await expect.poll(() => ana.message('hello bo').getByText('👍').count()).toBeGreaterThan(0);
    await expect.poll(() => bo.syncStatus().getAttribute('data-pending')).toBe('0');
  });

  it('lists the conversation with its last message and unread count', async () => {
    await ana.back();
    await bo.send('one more for the list');
    const entry = ana.conversationEntry('Bo Berg');
    await expect.poll(() => entry.textContent()).toContain('one more for the list');
    await expect.poll(() => entry.getByLabel(/unread/).textContent()).toBe('1');
    await ana.profile.screenshot('conversation-list-desktop');
    await ana.open('Bo Berg');
    await bo.expectTick('one more for the list', 'read');
  });

  it('keeps what was being typed when the person leaves the conversation and comes back', async () => {
    const box = ana.page.getByLabel('Message', { exact: true });
    await box.fill('half a thought');
    await ana.back();
    await ana.open('Bo Berg');
    await expect.poll(() => box.inputValue()).toBe('half a thought');
    await box.press('Enter');
    await ana.message('half a thought').waitFor();
    await ana.back();
    await ana.open('Bo Berg');
    expect(await box.inputValue()).toBe('');
  });

  it('asks before deleting a message for everyone', async () => {
    const row = ana.message('half a thought');
    await row.getByRole('button', { name: 'Delete' }).click();
    const question = row.getByRole('group', { name: 'Delete for everyone?' });
    await question.getByRole('button', { name: 'Keep' }).click();
    expect(await ana.message('half a thought').count()).toBe(1);

    await row.getByRole('button', { name: 'Delete' }).click();
    await ana.profile.screenshot('delete-question');
    await question.getByRole('button', { name: 'Yes, delete' }).click();
    await ana.page.getByText('This message was deleted').waitFor();
    await bo.page.getByText('This message was deleted').waitFor();
    expect(await bo.texts()).not.toContain('half a thought');
  });
});
