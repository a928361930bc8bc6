import { ErrorCode, limits } from '@mailboat/schema';
import { v7 as uuidv7 } from 'uuid';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { type SessionTokens, startDeviceSession, withAccessToken } from '../auth/sessions.js';
import type { AppDeps } from '../context.js';
import type { DeviceRow, UserRow } from '../db/tables.js';
import { revokeDevices } from '../devices/devices-repository.js';
import { announceRevocations } from '../devices/revocation.js';
import { AppError } from '../errors.js';
import { publishToUsers } from '../events/pubsub.js';
import * as validate from '../validate.js';
import type { Viewer } from '../viewer.js';
import { findUserByHandle, findUsersByIds, insertUser, updateDisplayName } from './users-repository.js';

export type SignedIn = SessionTokens & { user: UserRow; device: DeviceRow };

/** Creates an account and signs its first device in. Throws HANDLE_TAKEN or BAD_USER_INPUT; then nothing is stored. */
export async function signUp(
  deps: AppDeps,
  input: { handle: string; password: string; displayName: string; device: validate.DeviceInput },
): Promise<SignedIn> {
  const handle = validate.handle(input.handle);
  const password = validate.password(input.password);
  const displayName = validate.text('displayName', input.displayName, limits.displayName);
  const device = validate.device(input.device);
  const passwordHash = await hashPassword(password, deps.config.passwordHashCost);
  const created = await deps.db
    .transaction()
    .execute(async (trx) => {
      if (await findUserByHandle(trx, handle)) return null;
      const user = await insertUser(trx, { id: uuidv7(), handle, display_name: displayName, password_hash: passwordHash });
      return { user, ...(await startDeviceSession(trx, deps.config, user.id, device)) };
    })
    .catch((e: unknown) => {
      if (isUniqueViolation(e)) return null; // a concurrent sign-up took the handle
      throw e;
    });
  if (!created) throw new AppError(ErrorCode.HANDLE_TAKEN, `The handle "${handle}" is taken`, { field: 'handle' });
  return { user: created.user, device: created.device, ...(await withAccessToken(deps.config, created.device, created)) };
}

/** Checks the password and registers a new signed-in device. Throws INVALID_CREDENTIALS without saying which part was wrong. */
export async function signIn(deps: AppDeps, input: { handle: string; password: string; device: validate.DeviceInput }): Promise<SignedIn> {
  const device = validate.device(input.device);
  const user = await findUserByHandle(deps.db, validate.handle(input.handle));
  // An unknown handle costs a verification too, against a decoy, so both failures take the same time.
  const decoy = deps.decoyPasswordHash();
  const matches = await verifyPassword(input.password, user?.password_hash ?? (await decoy));
  if (!user || !matches) throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong handle or password');
  const session = await deps.db.transaction().execute((trx) => startDeviceSession(trx, deps.config, user.id, device));
  publishToUsers(deps.pubsub, [user.id], { kind: 'deviceAdded', deviceId: session.device.id });
  return { user, device: session.device, ...(await withAccessToken(deps.config, session.device, session)) };
}

/** Revokes the viewer's own device: its tokens and subscriptions stop working at once. */
export async function signOut(deps: AppDeps, viewer: Viewer): Promise<DeviceRow[]> {
  const revoked = await revokeDevices(deps.db, viewer.userId, [viewer.deviceId], 'signed_out');
  announceRevocations(deps.pubsub, revoked);
  return revoked;
}

/** Revokes every device of the viewer, this one included. */
export async function signOutEverywhere(deps: AppDeps, viewer: Viewer): Promise<DeviceRow[]> {
  const revoked = await revokeDevices(deps.db, viewer.userId, 'all', 'signed_out_everywhere');
  announceRevocations(deps.pubsub, revoked);
  return revoked;
}

export async function updateProfile(deps: AppDeps, viewer: Viewer, input: { displayName: string }): Promise<UserRow> {
  const displayName = validate.text('displayName', input.displayName, limits.displayName);
  return updateDisplayName(deps.db, viewer.userId, displayName);
}

/** The users with these ids (unknown ones left out, any order). Any signed-in viewer may see any user: callers check sign-in. */
export function usersByIds(deps: AppDeps, ids: readonly string[]): Promise<UserRow[]> {
  return findUsersByIds(deps.db, ids);
}

/** The user with this handle (case-insensitive), if any; BAD_USER_INPUT for something that cannot be a handle. Callers check sign-in. */
export function userByHandle(deps: AppDeps, handle: string): Promise<UserRow | undefined> {
  return findUserByHandle(deps.db, validate.handle(handle));
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}
