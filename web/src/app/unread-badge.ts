import type { MailboatClient } from './model.js';

/** The app's name, the whole tab title when nothing is unread. */
export const APP_TITLE = 'Mailboat';

/** How many conversations hold messages the viewer has not read (a muted one counts too). */
export function unreadConversations(client: Pick<MailboatClient, 'conversations'>): number {
  let n = 0;
  for (const c of client.conversations()) if (c.unreadCount > 0) n++;
  return n;
}

/** The tab title for `count` unread conversations: "(3) Mailboat", or just "Mailboat" at 0. */
export function unreadTitle(count: number): string {
  return count > 0 ? `(${count}) ${APP_TITLE}` : APP_TITLE;
}

/** The parts of the page the badge writes to (the real document and navigator by default). */
export type BadgeTargets = {
  setTitle: (title: string) => void;
  /** The Badging API, where the browser has it (an installed app shows the number on its icon). */
  navigator?: Partial<Pick<Navigator, 'setAppBadge' | 'clearAppBadge'>>;
};

/**
 * Keeps the tab title and the app icon badge at the number of unread conversations: set at
 * once, then after every change of the client's snapshots (live events, syncs, reads on this or
 * another device all lower or raise `unreadCount`). Writes only when the number changes.
 * Returns the function that stops it.
 */
export function showUnreadBadge(
  client: Pick<MailboatClient, 'conversations' | 'subscribe'>,
  targets: BadgeTargets = pageTargets(),
): () => void {
  let shown = -1;
  const update = () => {
    const count = unreadConversations(client);
    if (count === shown) return;
    shown = count;
    targets.setTitle(unreadTitle(count));
    const nav = targets.navigator;
    const done = count > 0 ? nav?.setAppBadge?.(count) : nav?.clearAppBadge?.();
    // Refused where the page may not badge (not installed, no permission): the title still shows it.
    done?.catch(() => undefined);
  };
  update();
  return client.subscribe(update);
}

function pageTargets(): BadgeTargets {
  return {
    setTitle: (title) => {
      document.title = title;
    },
    navigator: globalThis.navigator,
  };
}
