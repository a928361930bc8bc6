import type { AppDeps } from '../context.js';
import type { DeviceRow } from '../db/tables.js';
import { notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { findDevice, findDevicesByIds, listActiveDevices, revokeDevices } from './devices-repository.js';
import { announceRevocations } from './revocation.js';

export type DevicePage = { after?: [Date, string]; before?: [Date, string]; limit: number; inverted: boolean };

/** The viewer's active (not revoked) devices, oldest first. */
export function listDevices(deps: AppDeps, viewer: Viewer, page: DevicePage): Promise<DeviceRow[]> {
  return listActiveDevices(deps.db, viewer.userId, page);
}

/** One of the viewer's own devices, revoked or not; undefined for anyone else's. */
export async function getOwnDevice(deps: AppDeps, viewer: Viewer, id: string): Promise<DeviceRow | undefined> {
  const device = await findDevice(deps.db, id);
  return device?.user_id === viewer.userId ? device : undefined;
}

/** The devices with these ids, whoever owns them (unknown ones left out): callers show a viewer only their own. */
export function devicesByIds(deps: AppDeps, ids: readonly string[]): Promise<DeviceRow[]> {
  return findDevicesByIds(deps.db, ids);
}

/**
 * Revokes one of the viewer's devices (possibly the current one). From the moment this
 * returns, that device's access and refresh tokens are refused and its open subscriptions
 * have ended. Throws NOT_FOUND for a device that is not the viewer's or is already revoked.
 */
export async function revokeDevice(deps: AppDeps, viewer: Viewer, deviceId: string): Promise<DeviceRow> {
  const [revoked] = await revokeDevices(deps.db, viewer.userId, [deviceId], 'revoked');
  if (!revoked) throw notFound('Active device');
  announceRevocations(deps.pubsub, [revoked]);
  return revoked;
}
