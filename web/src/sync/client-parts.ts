import { HybridClock } from '@mailboat/schema';
import type { ClientErrorCode } from '../app/model.js';
import { pageLocalStorage, ScreenSnapshots } from '../launch/screen-snapshot.js';
import type { Account } from './account.js';
import { Api } from './api.js';
import { fetchPut, xhrPut } from './attachments/part-put.js';
import { TokenKeeper } from './auth.js';
import { BackgroundSync } from './background-sync.js';
import type { ClientOptions } from './client-options.js';
import { getMeta, readClockOffset, setMeta, writeClockOffset } from './local-db.js';
import { PresenceState } from './presence-state.js';
import { requestBackgroundReplay } from './replay-request.js';
import { fetchObservingClock, ServerClock } from './server-clock.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { SyncStateBox } from './sync-state.js';
import { TypingState } from './typing-state.js';

/** The parts a SyncClient is made of, built in dependency order by buildClientParts. */
export type ClientParts = {
  /** Where the device keeps its data. */
  factory: IDBFactory;
  /** How the refresh token travels (see ClientOptions). */
  delivery: 'COOKIE' | 'BODY';
  state: SyncStateBox;
  api: Api;
  background: BackgroundSync;
  sessions: SessionLifecycle;
  /** Who else is typing (live events, in memory). */
  typing: TypingState;
  /** Others' presence (fetched and live, in memory). */
  presence: PresenceState;
  /** The access token keeper, and how the API is reached, for requests outside GraphQL (attachment downloads). */
  tokens: TokenKeeper;
  baseUrl: string;
  fetch: typeof fetch;
  /** The server-corrected clock (what the device writes is dated by it). */
  serverNow: () => number;
};

/** The options as the parts use them, defaults filled in. */
type Settings = { baseUrl: string; factory: IDBFactory; delivery: 'COOKIE' | 'BODY'; now: () => number };

/**
 * The device's time as the parts need it. What the device writes is dated by the server's
 * clock (createdAt, editedAt, message ids), learned from every answer's Date header through
 * `fetch`; token lifetimes stay on the device's own clock (`now`).
 */
type Time = { fetch: typeof fetch; now: () => number; serverNow: () => number; clock: HybridClock };

/**
 * Builds the client's parts, each from parts built before it: the time, the sync state,
 * the token keeper, the Api, the background sync, then the session. The few calls that go
 * back up that order (see UpwardLinks) are connected last, before anything can make them:
 * nothing talks to the server until the caller restores the session.
 */
export function buildClientParts(options: ClientOptions): ClientParts {
  const settings = settingsOf(options);
  const time = serverTime(options, settings);
  const state = new SyncStateBox(browserIsOnline() ? 'online' : 'offline');
  const up = new UpwardLinks();
  const typing = new TypingState(time.serverNow, () => state.emit());
  const presence = new PresenceState(() => state.emit());
  const tokens = tokenKeeper(settings, time, up);
  const api = new Api({
    baseUrl: settings.baseUrl,
    fetch: time.fetch,
    tokens,
    onReachable: up.reachable,
    onSignedOut: (e) => up.signedOut(e.code),
  });
  const background = new BackgroundSync({
    api,
    tokens,
    baseUrl: settings.baseUrl,
    fetch: time.fetch,
    state,
    account: up.account,
    signedOut: up.signedOut,
    requestReplay: () => void requestBackgroundReplay(),
    refused: () => time.clock.rewind(),
    typing,
    presence,
    // Pages report upload progress through XMLHttpRequest; a client given its own fetch (tests) uses it.
    put: options.fetch === undefined && typeof XMLHttpRequest === 'function' ? xhrPut() : fetchPut(time.fetch),
    now: time.serverNow,
  });
  const sessions = new SessionLifecycle({
    factory: settings.factory,
    snapshots: new ScreenSnapshots(options.localStorage === undefined ? pageLocalStorage() : options.localStorage),
    api,
    tokens,
    delivery: settings.delivery,
    clock: time.clock,
    now: time.serverNow,
    state,
    opened: () => void background.sync(),
    ending: () => background.stop(),
    wrote: () => background.scheduleFlush(),
  });
  up.connect(sessions, background);
  const { factory, delivery, baseUrl } = settings;
  return {
    factory,
    delivery,
    state,
    api,
    background,
    sessions,
    typing,
    presence,
    tokens,
    baseUrl,
    fetch: time.fetch,
    serverNow: time.serverNow,
  };
}

function settingsOf(options: ClientOptions): Settings {
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (!factory) throw new Error('Mailboat needs IndexedDB');
  return { baseUrl: options.baseUrl ?? '', factory, delivery: options.refreshTokenDelivery ?? 'COOKIE', now: options.now ?? Date.now };
}

/** The server's clock as last learned (stored across launches), and the fetch that keeps learning it. */
function serverTime(options: ClientOptions, { factory, now }: Settings): Time {
  const serverClock = new ServerClock(now);
  const fetchFn = fetchObservingClock(options.fetch ?? ((input, init) => globalThis.fetch(input, init)), serverClock, now, () => {
    void writeClockOffset(factory, serverClock.offset).catch(() => undefined);
  });
  void readClockOffset(factory).then(
    (offset) => serverClock.start(offset),
    () => undefined,
  );
  const serverNow = () => serverClock.now();
  return { fetch: fetchFn, now, serverNow, clock: new HybridClock(serverNow) };
}

/** The token keeper of whichever account is open: its user, its sign-in expiry, its stored refresh token (BODY). */
function tokenKeeper({ baseUrl, delivery }: Settings, time: Time, up: UpwardLinks): TokenKeeper {
  return new TokenKeeper({
    baseUrl,
    fetch: time.fetch,
    delivery,
    now: time.now,
    renewed: (expiresAt) => void up.account()?.setSignInExpiry(expiresAt),
    expectedUserId: () => up.account()?.viewerId,
    refreshTokens: () => {
      const account = up.account();
      if (!account) return null;
      return { get: () => getMeta(account.db, 'refreshToken'), set: (t) => setMeta(account.db, 'refreshToken', t) };
    },
  });
}

/**
 * The calls that go back up the build order: the token keeper, the Api and the background
 * sync ask the session, built after them, for the open account and tell it the device was
 * signed out; the Api tells the background sync whether the server answered. Until
 * `connect`, they act as if no session were open: no account, and nobody to tell.
 */
class UpwardLinks {
  private sessions: SessionLifecycle | null = null;
  private background: BackgroundSync | null = null;

  connect(sessions: SessionLifecycle, background: BackgroundSync): void {
    this.sessions = sessions;
    this.background = background;
  }

  readonly account = (): Account | null => this.sessions?.account ?? null;
  readonly signedOut = (code: ClientErrorCode): void => void this.sessions?.signedOut(code);
  readonly reachable = (reachable: boolean): void => this.background?.reachable(reachable);
}

function browserIsOnline(): boolean {
  return (globalThis.navigator as Navigator | undefined)?.onLine ?? true;
}
