import { describe, expect, it } from 'vitest';
import { signUp, startApi, until, useDevices } from './harness.js';

const api = startApi();

describe('account settings', () => {
  const device = useDevices(api);

  it('are read at sync, changed online for every device of the account, and shown offline after a restart', async () => {
    const phone = device('phone');
    const handle = await signUp(phone, 'ana', 'Ana');
    expect(phone.client.settings()).toBeNull(); // not read yet
    await phone.client.syncNow();
    expect(phone.client.settings()).toEqual({ showMessageText: true, sharePresence: true });

    const laptop = device('laptop');
    await laptop.client.signIn({ handle, password: 'correct horse battery' });
    await laptop.client.updateSettings({ showMessageText: false });
    expect(laptop.client.settings()).toEqual({ showMessageText: false, sharePresence: true });
    await laptop.client.updateSettings({ sharePresence: false });
    expect(laptop.client.settings()).toEqual({ showMessageText: false, sharePresence: false });

    await phone.client.syncNow();
    expect(phone.client.settings()).toEqual({ showMessageText: false, sharePresence: false });
    phone.offline = true;
    await phone.restart();
    await until(() => phone.client.settings() !== null, 'the stored settings');
    expect(phone.client.settings()).toEqual({ showMessageText: false, sharePresence: false });
    await expect(phone.client.updateSettings({ showMessageText: true })).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('notifications are not supported where there is no Push API, and nothing asks for permission', async () => {
    const d = device('node');
    await signUp(d, 'bo', 'Bo');
    expect(d.client.notifications()).toMatchObject({ supported: false, enabled: false });
    await expect(d.client.enableNotifications()).rejects.toMatchObject({ code: 'UNKNOWN' });
  });
});
