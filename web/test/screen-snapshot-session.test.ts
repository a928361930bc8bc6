import { describe, expect, it } from 'vitest';
import { ScreenSnapshots } from '../src/launch/screen-snapshot.js';
import { SCREEN_SNAPSHOT_KEYS, type ScreenSnapshot } from '../src/launch/screen-snapshot-format.js';
import { accountOf, type Device, handle, PASSWORD, signUp, startApi, until, useDevices } from './harness.js';
import { MemoryStorage } from './memory-storage.js';

const api = startApi();

const snapshotOf = (userId: string): ScreenSnapshot => ({ userId, route: '#/', html: '<div class="app">Chats</div>', savedAt: 1 });
const { last: LAST_KEY, home: HOME_KEY, account: ACCOUNT_KEY } = SCREEN_SNAPSHOT_KEYS;
const keys = (storage: Storage) => [storage.getItem(ACCOUNT_KEY), storage.getItem(LAST_KEY), storage.getItem(HOME_KEY)];

/** A localStorage holding the (home) snapshot of `userId`, named the open account. */
function storageWithSnapshotOf(userId: string): { storage: MemoryStorage; snapshots: ScreenSnapshots } {
  const storage = new MemoryStorage();
  const snapshots = new ScreenSnapshots(storage);
  snapshots.opened(userId);
  expect(snapshots.store(snapshotOf(userId))).toBe(true);
  return { storage, snapshots };
}

describe('the screen snapshot and the session', () => {
  const device = useDevices(api);

  /** A device with a localStorage of its own, signed up as a new user with a stored snapshot. */
  async function signedUpWithSnapshot(name: string): Promise<{ d: Device; storage: MemoryStorage; userId: string }> {
    const storage = new MemoryStorage();
    const d = device(name, { localStorage: storage });
    await signUp(d, 'ana', 'Ana');
    const userId = d.client.session()!.user.id;
    expect(storage.getItem(ACCOUNT_KEY)).toBe(userId); // the open account is named at once
    expect(new ScreenSnapshots(storage).store(snapshotOf(userId))).toBe(true);
    return { d, storage, userId };
  }

  it('is removed, with the open account’s name, at sign-out', async () => {
    const { d, storage } = await signedUpWithSnapshot('ana phone');
    await d.client.signOut();
    expect(keys(storage)).toEqual([null, null, null]);
  });

  it('is removed when another device revokes this one', async () => {
    const { d: phone, storage } = await signedUpWithSnapshot('ana phone');
    const laptop = device('ana laptop');
    await laptop.client.redeemPairingCode((await phone.client.createPairingCode()).code);
    await laptop.client.revokeDevice(phone.client.session()!.deviceId);
    await phone.client.syncNow();
    await until(() => phone.client.session() === null, 'the phone to learn it was signed out');
    expect(keys(storage)).toEqual([null, null, null]);
  });

  it('is removed by the wipe of the account’s data', async () => {
    const { d, storage } = await signedUpWithSnapshot('ana phone');
    await d.client.syncNow(); // nothing writes to the account's database meanwhile
    await accountOf(d)!.wipe();
    expect(keys(storage)).toEqual([null, null, null]);
  });

  it('is forgotten by a launch that finds no session on the device (its data was lost meanwhile)', async () => {
    const { storage } = storageWithSnapshotOf('someone');
    const d = device('browser with no data', { localStorage: storage });
    await d.client.ready;
    expect(d.client.session()).toBeNull();
    expect(keys(storage)).toEqual([null, null, null]);
  });

  it('of another account is dropped when a session opens, and none is stored for that account any more', async () => {
    const { storage, snapshots } = storageWithSnapshotOf('someone-else');

    const d = device('shared laptop', { localStorage: storage });
    const h = handle('bo');
    await d.client.signUp({ handle: h, displayName: 'Bo', password: PASSWORD });
    const userId = d.client.session()!.user.id;
    expect(keys(storage)).toEqual([userId, null, null]);
    expect(snapshots.store(snapshotOf('someone-else'))).toBe(false);
    expect(storage.getItem(LAST_KEY)).toBeNull();

    expect(snapshots.store(snapshotOf(userId))).toBe(true);
    await d.client.syncNow();
    await d.restart(); // the same account opens again: its snapshot stays
    expect(snapshots.read()?.userId).toBe(userId);
  });
});
