// @vitest-environment happy-dom
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_SCREEN_SNAPSHOT_CHARS, ScreenSnapshots } from '../src/launch/screen-snapshot.js';
import { SCREEN_SNAPSHOT_KEYS, type ScreenSnapshot } from '../src/launch/screen-snapshot-format.js';
import { SCREEN_SNAPSHOT_ROWS, screenSnapshotHtml } from '../src/launch/screen-snapshot-html.js';
import { buildScreenSnapshotScript } from '../src/launch/screen-snapshot-painter-plugin.js';
import { SCREEN_SNAPSHOT_DELAY_MS, ScreenSnapshotWriter } from '../src/launch/screen-snapshot-writer.js';
import { onRouteChange, parseRoute } from '../src/ui/router.js';
import { MemoryStorage } from './memory-storage.js';

const { last: LAST_KEY, home: HOME_KEY, account: ACCOUNT_KEY } = SCREEN_SNAPSHOT_KEYS;

const ANA = 'user-ana';
const BO = 'user-bo';

/** A signed-in screen as the app renders it: the update prompt, then the shell of `userId` with a list and an open conversation. */
function renderShell(root: HTMLElement, userId: string, options: { messages?: number; conversations?: number; text?: string } = {}) {
  const { messages = 3, conversations = 2, text = '' } = options;
  const rows = Array.from(
    { length: messages },
    (_, i) =>
      `<li class="message" data-message-id="m${i + 1}"><div class="bubble"><p class="message-text">message ${i + 1}${text}</p></div></li>`,
  );
  const items = Array.from({ length: conversations }, (_, i) => `<li><a href="#/c/c${i + 1}">Chat ${i + 1}</a></li>`);
  root.innerHTML = `
    <div class="update-prompt" role="status"><p class="update-prompt-text">A new version of Mailboat is available.</p><button>Reload</button></div>
    <div class="app" data-user-id="${userId}">
      <header class="topbar">
        <div role="status" class="sync-status" data-network="online" data-syncing="false" data-pending="2"><span class="sync-dot" aria-hidden="true"></span>Online · 2 pending</div>
        <div class="sync-banner"><span id="sync-progress-label">Syncing history: 3 of 9</span></div>
      </header>
      <ul class="conversation-list" aria-label="Conversations">${items.join('')}</ul>
      <div class="log" role="log" aria-label="Messages">
        <ol class="messages">${rows.join('')}</ol>
        <div class="reaction-picker" role="group"><button>👍</button></div>
        <fieldset class="confirm-delete"><legend>Delete for everyone?</legend><button autofocus>Keep</button></fieldset>
        <p class="form-error" role="alert">Could not load earlier messages</p>
      </div>
      <form class="composer"><div class="composer-reply">Replying to Bo</div><textarea id="composer-input">a draft</textarea><input name="q" value="typed"></form>
    </div>`;
}

describe('the HTML of a screen snapshot', () => {
  it('is the screen without transient UI, drafts, typed values, focus requests or sync state', () => {
    const root = document.createElement('div');
    renderShell(root, ANA);
    const page = root.innerHTML;
    const copy = document.createElement('div');
    copy.innerHTML = screenSnapshotHtml(root);

    expect(root.innerHTML).toBe(page); // the page itself is untouched
    expect([...copy.querySelectorAll('.message-text')].map((e) => e.textContent)).toEqual(['message 1', 'message 2', 'message 3']);
    expect(copy.querySelector('.update-prompt')?.outerHTML).toBe('<div class="update-prompt" role="status"></div>');
    for (const gone of ['.sync-banner', '.reaction-picker', '.confirm-delete', '[role=alert]', '.composer-reply', '[autofocus]']) {
      expect(copy.querySelector(gone), gone).toBeNull();
    }
    expect(copy.querySelector('textarea')?.textContent).toBe('');
    expect(copy.querySelector('input')?.hasAttribute('value')).toBe(false);
    const status = copy.querySelector('.sync-status')!;
    expect(status.childNodes).toHaveLength(0);
    expect([...status.attributes].map((a) => a.name).sort()).toEqual(['class', 'role']);
    expect(copy.innerHTML).not.toContain('a draft');
    expect(copy.innerHTML).not.toContain('typed');
  });

  it('keeps the newest messages and the first conversations of long lists', () => {
    const root = document.createElement('div');
    renderShell(root, ANA, { messages: SCREEN_SNAPSHOT_ROWS + 40, conversations: SCREEN_SNAPSHOT_ROWS + 5 });
    const copy = document.createElement('div');
    copy.innerHTML = screenSnapshotHtml(root);
    const texts = [...copy.querySelectorAll('.message-text')].map((e) => e.textContent);
    expect(texts).toHaveLength(SCREEN_SNAPSHOT_ROWS);
    expect(texts[0]).toBe('message 41');
    expect(texts.at(-1)).toBe(`message ${SCREEN_SNAPSHOT_ROWS + 40}`);
    const chats = [...copy.querySelectorAll('.conversation-list > li')].map((e) => e.textContent);
    expect(chats).toHaveLength(SCREEN_SNAPSHOT_ROWS);
    expect(chats[0]).toBe('Chat 1');
  });
});

describe('the screen snapshot writer', () => {
  let root: HTMLElement;
  let storage: MemoryStorage;
  let snapshots: ScreenSnapshots;
  let session: { user: { id: string } } | null;
  let listeners: (() => void)[];
  let writer: ScreenSnapshotWriter;
  const client = {
    session: () => session as never,
    subscribe: (listener: () => void) => {
      listeners.push(listener);
      return () => {
        listeners = listeners.filter((l) => l !== listener);
      };
    },
  };
  const route = { current: () => parseRoute(location.hash).name, onChange: onRouteChange };
  const stored = () => snapshots.read();
  const emit = () => {
    for (const l of listeners) l();
  };

  beforeEach(() => {
    vi.useFakeTimers();
    root = document.createElement('div');
    root.id = 'root';
    document.body.replaceChildren(root);
    storage = new MemoryStorage();
    snapshots = new ScreenSnapshots(storage);
    snapshots.opened(ANA);
    session = { user: { id: ANA } };
    listeners = [];
    location.hash = '#/c/c1';
  });
  afterEach(() => {
    writer?.stop();
    vi.useRealTimers();
  });

  it('stores what the open account’s screen shows a moment after a change, with the route it shows', () => {
    renderShell(root, ANA);
    writer = new ScreenSnapshotWriter(root, client, snapshots, route);
    vi.advanceTimersByTime(SCREEN_SNAPSHOT_DELAY_MS);
    const first = stored();
    expect(first).toMatchObject({ userId: ANA, route: '#/c/c1', html: screenSnapshotHtml(root) });
    expect(first?.savedAt).toBeTypeOf('number');

    renderShell(root, ANA, { messages: 4 });
    emit();
    emit(); // changes meanwhile share the write
    vi.advanceTimersByTime(SCREEN_SNAPSHOT_DELAY_MS - 1);
    expect(stored()?.html).not.toContain('message 4');
    vi.advanceTimersByTime(1);
    expect(stored()?.html).toContain('message 4');
  });

  it('stores at once when the page is left or hidden, only when something changed', () => {
    renderShell(root, ANA);
    writer = new ScreenSnapshotWriter(root, client, snapshots, route);
    window.dispatchEvent(new Event('pagehide'));
    expect(stored()?.html).toContain('message 3');
    storage.removeItem(LAST_KEY);
    window.dispatchEvent(new Event('pagehide'));
    expect(stored()).toBeNull(); // nothing changed since
    vi.advanceTimersByTime(SCREEN_SNAPSHOT_DELAY_MS);
    expect(stored()).toBeNull(); // the write that was due is done
  });

  it('stores nothing of the sign-in screens, of a signed-out client, or of another account’s shell', () => {
    root.innerHTML = '<div class="auth"><form><input name="handle" value="ana"></form></div>';
    writer = new ScreenSnapshotWriter(root, client, snapshots, route);
    expect(writer.take()).toBe(false);

    renderShell(root, ANA);
    session = null;
    expect(writer.take()).toBe(false);

    session = { user: { id: ANA } };
    renderShell(root, BO); // the screen still shows Bo's data
    expect(writer.take()).toBe(false);

    session = { user: { id: BO } }; // Bo's session, but the device's open account is Ana's (another tab)
    expect(writer.take()).toBe(false);
    expect(storage.getItem(LAST_KEY)).toBeNull();

    session = { user: { id: ANA } };
    renderShell(root, ANA);
    expect(writer.take()).toBe(true);
  });

  it('stores only the screens drawn from local data', () => {
    renderShell(root, ANA);
    writer = new ScreenSnapshotWriter(root, client, snapshots, route);
    for (const hash of ['#/devices', '#/profile', '#/new', '#/c/c1/members']) {
      location.hash = hash;
      expect(writer.take(), hash).toBe(false);
    }
    for (const hash of ['', '#/', '#/c/c2']) {
      location.hash = hash;
      expect(writer.take(), hash).toBe(true);
    }
  });

  it('is never taken of the painted snapshot (the app has not rendered yet)', () => {
    root.innerHTML = '<div data-screen-snapshot inert style="display: contents"><div class="app" data-user-id="user-ana"></div></div>';
    writer = new ScreenSnapshotWriter(root, client, snapshots, route);
    expect(writer.take()).toBe(false);
  });

  it('keeps no snapshot too big to be worth painting, nor the older one', () => {
    renderShell(root, ANA);
    writer = new ScreenSnapshotWriter(root, client, snapshots, route);
    expect(writer.take()).toBe(true);
    renderShell(root, ANA, { text: 'x'.repeat(Math.ceil(MAX_SCREEN_SNAPSHOT_CHARS / 3)) });
    expect(writer.take()).toBe(false);
    expect(stored()).toBeNull();
  });
});

describe('the screen snapshot painter (the plain script /screen-snapshot.js, as built)', () => {
  let painter = '';
  const paint = () => new Function(painter)();
  beforeAll(async () => {
    painter = await buildScreenSnapshotScript();
  });

  it('is a plain script that imports and exports nothing, and carries the keys', () => {
    expect(painter).not.toMatch(/^\s*(import|export)\b/m);
    for (const key of Object.values(SCREEN_SNAPSHOT_KEYS)) expect(painter).toContain(JSON.stringify(key).slice(1, -1));
  });
  const snapshot = (over: Partial<ScreenSnapshot> = {}): ScreenSnapshot => ({
    userId: ANA,
    route: '#/c/c1',
    html: '<div class="app" data-user-id="user-ana"><div role="log"><ol class="messages"><li><p class="message-text">hello</p></li></ol></div></div>',
    savedAt: 1,
    ...over,
  });
  let root: HTMLElement;

  beforeEach(() => {
    localStorage.clear();
    root = document.createElement('div');
    root.id = 'root';
    document.body.replaceChildren(root);
    location.hash = '#/c/c1';
  });

  function store(s: ScreenSnapshot, account: string | null = ANA) {
    localStorage.setItem(LAST_KEY, JSON.stringify(s));
    if (account !== null) localStorage.setItem(ACCOUNT_KEY, account);
  }

  it('paints the snapshot of the open account at its route, read-only and marked', () => {
    store(snapshot());
    paint();
    const painted = root.firstElementChild as HTMLElement;
    expect(root.children).toHaveLength(1);
    expect(painted.getAttribute('data-screen-snapshot')).toBe('1');
    expect(painted.hasAttribute('inert')).toBe(true);
    expect(painted.getAttribute('aria-hidden')).toBe('true');
    expect(painted.getAttribute('aria-busy')).toBe('true');
    expect(painted.style.display).toBe('contents');
    expect(painted.querySelector('.message-text')?.textContent).toBe('hello');
  });

  it('takes no hash and "#/" for the same route', () => {
    store(snapshot({ route: '' }));
    location.hash = '#/';
    paint();
    expect(root.querySelector('[data-screen-snapshot] .message-text')).not.toBeNull();
  });

  it('at the home route, paints the last home screen when the app was left in a conversation (an installed app opens at /)', () => {
    const snapshots = new ScreenSnapshots(localStorage);
    snapshots.opened(ANA);
    const home = snapshot({ route: '#/', html: '<div class="app"><h1>Chats</h1></div>' });
    expect(snapshots.store(home)).toBe(true);
    expect(snapshots.store(snapshot())).toBe(true); // then a conversation: the last screen
    expect(snapshots.readHome()?.html).toBe(home.html);
    location.hash = '';
    paint();
    expect(root.querySelector('[data-screen-snapshot] h1')?.textContent).toBe('Chats');

    root.replaceChildren();
    location.hash = '#/c/c2'; // another conversation: neither fits
    paint();
    expect(root.innerHTML).toBe('');

    snapshots.opened(BO); // another account: both are gone
    expect([localStorage.getItem(LAST_KEY), localStorage.getItem(HOME_KEY)]).toEqual([null, null]);
    snapshots.opened(ANA);
    snapshots.store(home);
    snapshots.forget();
    expect([localStorage.getItem(LAST_KEY), localStorage.getItem(HOME_KEY)]).toEqual([null, null]);
  });

  it('paints nothing for another account, another route, no open account, or a damaged snapshot', () => {
    store(snapshot({ userId: BO }));
    paint();
    store(snapshot({ route: '#/c/c2' }));
    paint();
    localStorage.clear();
    store(snapshot(), null);
    paint();
    localStorage.setItem(ACCOUNT_KEY, ANA);
    localStorage.setItem(LAST_KEY, '{"userId":');
    paint();
    expect(root.innerHTML).toBe('');
  });
});
