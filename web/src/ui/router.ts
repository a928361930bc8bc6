import { useSyncExternalStore } from 'react';

/**
 * A tiny hash router: routes live after "#", so the server needs no fallback and the browser's
 * Back button walks the app's own history. navigate() records the in-app depth in
 * history.state, so goBack() knows whether stepping back stays inside the app.
 */
export type Route =
  | { name: 'home' }
  /** `messageId`: open scrolled to that message (a search result, a notification), highlighted a moment. */
  | { name: 'conversation'; id: string; messageId?: string }
  /** Search messages (all conversations, or `conversationId`'s only) and people; `q` is the query typed. */
  | { name: 'search'; q: string; conversationId?: string }
  | { name: 'members'; id: string }
  | { name: 'new' }
  | { name: 'devices' }
  | { name: 'profile' }
  | { name: 'signin' }
  | { name: 'signup' }
  | { name: 'pair'; code: string | null };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, id, sub, arg] = parts;
  if (head === 'c' && id) {
    if (sub === 'members') return { name: 'members', id };
    if (sub === 'm' && arg) return { name: 'conversation', id, messageId: arg };
    return { name: 'conversation', id };
  }
  if (head === 'search') {
    const params = new URLSearchParams(search);
    const conversationId = params.get('in');
    return conversationId ? { name: 'search', q: params.get('q') ?? '', conversationId } : { name: 'search', q: params.get('q') ?? '' };
  }
  if (head === 'new') return { name: 'new' };
  if (head === 'devices') return { name: 'devices' };
  if (head === 'profile') return { name: 'profile' };
  if (head === 'signin') return { name: 'signin' };
  if (head === 'signup') return { name: 'signup' };
  if (head === 'pair') return { name: 'pair', code: id ?? null };
  return { name: 'home' };
}

export const paths = {
  home: '/',
  conversation: (id: string) => `/c/${encodeURIComponent(id)}`,
  /** The conversation opened at one of its messages. */
  message: (id: string, messageId: string) => `/c/${encodeURIComponent(id)}/m/${encodeURIComponent(messageId)}`,
  /** `/search?q=<query>[&in=<conversationId>]`. */
  search: (q: string, conversationId?: string) =>
    `/search?${new URLSearchParams(conversationId ? { q, in: conversationId } : { q }).toString()}`,
  members: (id: string) => `/c/${encodeURIComponent(id)}/members`,
  newConversation: '/new',
  devices: '/devices',
  profile: '/profile',
  signin: '/signin',
  signup: '/signup',
  pair: (code?: string) => (code ? `/pair/${encodeURIComponent(code)}` : '/pair'),
};

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};

/** Calls `listener` after every navigation (in-app, Back/Forward, or a typed hash); returns the unsubscribe. */
export function onRouteChange(listener: () => void): () => void {
  if (listeners.size === 0) {
    window.addEventListener('hashchange', notify);
    window.addEventListener('popstate', notify);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.removeEventListener('hashchange', notify);
      window.removeEventListener('popstate', notify);
    }
  };
}

let lastHash = '';
let lastRoute: Route = { name: 'home' };
function snapshot(): Route {
  if (location.hash !== lastHash) {
    lastHash = location.hash;
    lastRoute = parseRoute(lastHash);
  }
  return lastRoute;
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  return useSyncExternalStore(onRouteChange, snapshot);
}

function depth(): number {
  const d = (history.state as { mailboatDepth?: unknown } | null)?.mailboatDepth;
  return typeof d === 'number' ? d : 0;
}

/** Goes to `path` (e.g. "/devices"); `replace` swaps the current history entry instead of adding one. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = `#${path}`;
  if (url === location.hash) return;
  if (options.replace) history.replaceState({ mailboatDepth: depth() }, '', url);
  else history.pushState({ mailboatDepth: depth() + 1 }, '', url);
  notify();
}

/** Steps back through the app's history, or to `fallback` when this page was opened directly. */
export function goBack(fallback: string = paths.home): void {
  if (depth() > 0) history.back();
  else navigate(fallback, { replace: true });
}
