import type { HybridClock } from '@mailboat/schema';
import type { ResultOf } from 'gql.tada';
import type { ClientErrorCode, Session } from '../app/model.js';
import type { ScreenSnapshots } from '../launch/screen-snapshot.js';
import { Account } from './account.js';
import type { Api } from './api.js';
import type { TokenKeeper } from './auth.js';
import { isNetworkError, isSignedOutError } from './errors.js';
import {
  getMeta,
  openAccountDb,
  readCurrentAccount,
  readSignOutPending,
  setMeta,
  writeCurrentAccount,
  writeSignOutPending,
} from './local-db.js';
import { LocalWriter } from './local-writes.js';
import * as Q from './operations.js';
import type { SyncStateBox } from './sync-state.js';

/** A sign-in answer (signUp, signIn, redeemPairingCode). */
export type AuthPayload = ResultOf<typeof Q.SESSION>;

export type SessionLifecycleOptions = {
  factory: IDBFactory;
  /** The screen snapshot painted before the app loads: told which account is open, and forgotten when it ends. */
  snapshots: ScreenSnapshots;
  api: Api;
  tokens: TokenKeeper;
  delivery: 'COOKIE' | 'BODY';
  clock: HybridClock;
  /** The time new writes are dated by (the server's clock as the device knows it). */
  now: () => number;
  state: SyncStateBox;
  /** An account was opened: start syncing it. */
  opened: () => void;
  /** The account is about to end: stop syncing it. */
  ending: () => void;
  /** A local write was made: push it. */
  wrote: () => void;
};

/** Why the device was signed out, by the API's error code (see SIGNED_OUT_CODES). */
const REASONS: Partial<Record<ClientErrorCode, string>> = {
  DEVICE_REVOKED: 'it was revoked or signed out on another device',
  REFRESH_TOKEN_REUSED: 'its session was ended for safety',
  REFRESH_TOKEN_INVALID: 'its session ended (it expired, or was revoked on another device)',
  ACCOUNT_MISMATCH: 'another site tried to sign this browser into a different account',
};

/**
 * The device's session: which account is open, from launch (the stored session, or in
 * COOKIE mode the refresh cookie when nothing is stored) through sign-in to sign-out.
 * Ending a session always wipes the account's data from the device; when the server ended
 * it (`signedOut`), SyncState.problem says why, and how many unsent writes were lost, before
 * the data goes.
 */
export class SessionLifecycle {
  account: Account | null = null;
  writer: LocalWriter | null = null;
  private ending = false;

  constructor(private readonly options: SessionLifecycleOptions) {}

  /**
   * Opens the stored session, if any, and starts syncing it. With none stored, in COOKIE
   * mode, it asks the server whether the refresh cookie still signs this device in and, if
   * so, opens that session (a device whose IndexedDB was cleared stays signed in). Never
   * rejects for lack of network: the device then opens signed out, and forgets any screen
   * snapshot (whoever's it was, no account of this device is open to show it).
   */
  async restore(): Promise<void> {
    const { factory } = this.options;
    const userId = await readCurrentAccount(factory);
    if (userId) {
      const db = await openAccountDb(factory, userId);
      const session = await getMeta(db, 'session');
      db.close();
      if (session) {
        await this.open(session);
        return;
      }
    }
    if (this.options.delivery === 'COOKIE') await withinLaunchWait(this.restoreFromCookie());
    if (!this.account) this.options.snapshots.forget();
  }

  /** Starts the session of a sign-in answer, ending any open one first. */
  async begin(payload: AuthPayload): Promise<void> {
    if (this.account) await this.end();
    this.options.tokens.accept(payload.accessToken, payload.accessTokenExpiresAt);
    await writeSignOutPending(this.options.factory, false);
    await this.open({ user: payload.user, deviceId: payload.device.id }, payload.refreshToken);
    await this.account?.setSignInExpiry(Date.parse(payload.refreshTokenExpiresAt));
  }

  /**
   * Signs out at the user's request: pushes what it can (`flush`), ends the session on the
   * server (its tokens stop working), then wipes the device. When the server cannot be
   * reached in COOKIE mode, the sign-out is finished at a later launch (see restore).
   */
  async signOut(flush: () => Promise<void>): Promise<void> {
    if (!this.account || this.ending) return;
    this.ending = true;
    try {
      await flush().catch(() => undefined);
      try {
        await this.options.api.mutation(Q.SIGN_OUT);
      } catch (e) {
        if (this.options.delivery === 'COOKIE' && !isSignedOutError(e)) await writeSignOutPending(this.options.factory, true);
      }
      await this.end();
    } finally {
      this.ending = false;
    }
  }

  /** The server signed this device out for good (`code`: revoked, refresh refused): say so, then wipe. */
  async signedOut(code: ClientErrorCode): Promise<void> {
    const account = this.account;
    if (!account || this.ending) return;
    this.ending = true;
    try {
      const unsent = account.outbox.size;
      const lost = unsent === 0 ? '' : ` ${unsent} change${unsent === 1 ? '' : 's'} made on it had not been sent and were discarded.`;
      this.options.state.set({ problem: `This device was signed out: ${REASONS[code] ?? code}.${lost}` });
      await this.end();
    } finally {
      this.ending = false;
    }
  }

  /** Closes the open account; its data stays on the device. */
  async close(): Promise<void> {
    await this.account?.close();
    this.account = null;
    this.writer = null;
  }

  private async open(session: Session, refreshToken?: string | null): Promise<void> {
    const { factory, clock, state, snapshots } = this.options;
    snapshots.opened(session.user.id); // first: before this account is named current anywhere, no other's snapshot is left
    const account = await Account.open(
      factory,
      session,
      () => state.emit(),
      (at) => clock.observe(at),
      snapshots,
    );
    if (refreshToken) await setMeta(account.db, 'refreshToken', refreshToken);
    await writeCurrentAccount(factory, session.user.id);
    this.account = account;
    const writer = new LocalWriter(account, clock, this.options.wrote, this.options.now);
    this.writer = writer;
    // Delete wins: text an edit racing a deletion left on the viewer's message is removed, now and whenever it arrives.
    account.leftoversFound = (held) => writer.purgeDeletedText(held);
    writer.purgeDeletedText();
    if (refreshToken !== undefined) state.set({ problem: null });
    state.emit();
    this.options.opened();
  }

  /**
   * Forgets the session and wipes the account's data from the device. The screen snapshot
   * goes first, synchronously: whatever happens to the rest of the wipe, no later launch
   * paints this account's screen.
   */
  private async end(): Promise<void> {
    const account = this.account;
    this.options.snapshots.forget();
    this.options.ending();
    this.options.tokens.clear();
    this.account = null;
    this.writer = null;
    this.options.state.emit();
    if (!account) return;
    await writeCurrentAccount(this.options.factory, null);
    await account.wipe();
  }

  /** Restores the session the refresh cookie still holds, or finishes a sign-out left pending. */
  private async restoreFromCookie(): Promise<void> {
    const { api, tokens, factory } = this.options;
    const pendingSignOut = await readSignOutPending(factory);
    try {
      await tokens.refresh();
      if (pendingSignOut) {
        await api.mutation(Q.SIGN_OUT);
        await writeSignOutPending(factory, false);
        tokens.clear();
        return;
      }
      const { viewer } = await api.query(Q.VIEWER);
      if (!viewer) throw new Error('Mailboat named no viewer for a refreshed access token');
      if (this.account) return; // signed in meanwhile (the launch stopped waiting for this check)
      await this.open({ user: viewer.user, deviceId: viewer.device.id }, null);
    } catch (e) {
      tokens.clear();
      if (pendingSignOut && isSignedOutError(e)) await writeSignOutPending(factory, false);
      else if (!isNetworkError(e) && !isSignedOutError(e)) console.error('Mailboat: could not restore the session', e);
    }
  }
}

/**
 * How long launch waits for the server to say whether the refresh cookie still signs the
 * device in: a hung network (a captive portal, say) must not keep the app from showing.
 */
const LAUNCH_COOKIE_WAIT_MS = 4000;

/** Resolves when `check` settles or the launch wait is over, whichever is first (the check goes on). */
async function withinLaunchWait(check: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, LAUNCH_COOKIE_WAIT_MS);
  });
  try {
    await Promise.race([check, waited]);
  } finally {
    clearTimeout(timer);
  }
}
