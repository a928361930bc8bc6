import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ChatMessage, ConversationView } from '../app/model.js';
import { useClient } from './client-context.js';
import { errorText } from './errors.js';
import { formatDay, sameDay } from './format.js';
import { MessageRow, type RowActions } from './MessageRow.js';

/** How close to an edge (px) counts as "at" it. */
const EDGE = 48;
/** Messages rendered at first, and added each time the reader asks for earlier ones. */
const WINDOW = 150;

type MessageLogProps = {
  conversationId: string;
  view: ConversationView;
  viewerId: string;
  isGroup: boolean;
  unreadCount: number;
  editingId: string | null;
  pickingId: string | null;
  actions: RowActions;
};

/**
 * The newest part of a conversation's messages, oldest first: the newest WINDOW of what the
 * device holds, growing by WINDOW at a time, then older history fetched from the server, so
 * a conversation with thousands of messages on the device still opens at once. Opens at the
 * newest message and follows new ones while the reader is at the bottom; shows earlier ones at
 * the top (or with the button) and keeps what the reader sees in place when they arrive; marks
 * the conversation read while the newest message is on screen and the page is visible.
 * While the view is the `preview` (the app is still opening its data) the rows are read-only and
 * nothing is fetched or marked read; the real rows then take their place, keeping the scroll.
 */
export function MessageLog({ conversationId, view, viewerId, isGroup, unreadCount, editingId, pickingId, actions }: MessageLogProps) {
  const client = useClient();
  const { messages: held, hasOlder, loadingOlder } = view;
  const preview = view.preview === true;
  const [shown, setShown] = useState(WINDOW);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new conversation starts with a fresh window
  useEffect(() => setShown(WINDOW), [conversationId]);
  const messages = useMemo(() => (held.length > shown ? held.slice(held.length - shown) : held), [held, shown]);
  const hiddenAbove = held.length - messages.length;
  const hasEarlier = hasOlder || hiddenAbove > 0;
  const logRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const before = useRef<{ first: string | undefined; last: string | undefined; height: number; top: number } | null>(null);
  const markedUpTo = useRef<string | null>(null);
  const [olderError, setOlderError] = useState<string | null>(null);

  const lastId = messages.at(-1)?.id;
  const markReadIfSeen = useCallback(() => {
    if (preview || !lastId || document.visibilityState !== 'visible' || !atBottom.current) return;
    if (markedUpTo.current === lastId && unreadCount === 0) return;
    markedUpTo.current = lastId;
    client.markRead(conversationId);
  }, [client, conversationId, lastId, unreadCount, preview]);

  const inFlight = useRef(false);
  const loadOlder = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    setOlderError(null);
    client
      .loadOlder(conversationId)
      .catch((e: unknown) => setOlderError(errorText(e)))
      .finally(() => {
        inFlight.current = false;
      });
  }, [client, conversationId]);
  /** Shows more of what the device holds, or fetches older history once all of it is shown. */
  const showEarlier = useCallback(() => {
    if (preview) return;
    if (hiddenAbove > 0) setShown((n) => n + WINDOW);
    else loadOlder();
  }, [preview, hiddenAbove, loadOlder]);
  const autoLoadedAbove = useRef<string | undefined>(undefined);

  const remember = () => {
    const el = logRef.current;
    if (!el) return;
    before.current = { first: messages[0]?.id, last: lastId, height: el.scrollHeight, top: el.scrollTop };
  };

  // After each change of the messages: keep the reader's place, or follow the newest.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the messages change; reads the rest from refs
  useLayoutEffect(() => {
    const el = logRef.current;
    if (!el) return;
    const prev = before.current;
    const first = messages[0]?.id;
    if (prev && prev.first !== first && prev.last === lastId && prev.first !== undefined) {
      el.scrollTop = prev.top + (el.scrollHeight - prev.height); // older history arrived above
    } else if (!prev || prev.last !== lastId) {
      const newest = messages.at(-1);
      if (!prev || atBottom.current || newest?.mine) el.scrollTop = el.scrollHeight;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight; // e.g. a reaction made the last message taller
    }
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE;
    remember();
    // Too little history to scroll: fetch more, once per oldest message, so the reader can scroll at all.
    if (!preview && hasEarlier && !loadingOlder && first && autoLoadedAbove.current !== first && el.scrollHeight <= el.clientHeight) {
      autoLoadedAbove.current = first;
      showEarlier();
    }
    markReadIfSeen();
  }, [messages]);

  // The log's box shrank or grew (the composer's tray opened, the keyboard, a window resize):
  // a reader at the bottom stays there.
  useEffect(() => {
    const el = logRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const onVisible = () => markReadIfSeen();
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [markReadIfSeen]);

  const onScroll = () => {
    const el = logRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE;
    remember();
    if (el.scrollTop < EDGE && hasEarlier && !loadingOlder && !olderError) showEarlier();
    markReadIfSeen();
  };

  const replyTargets = useMemo(() => findReplyTargets(held, messages), [held, messages]);

  return (
    <div ref={logRef} className="log" role="log" aria-label="Messages" onScroll={onScroll}>
      <div className="log-start">
        {hasEarlier ? (
          <button type="button" className="button small" onClick={showEarlier} disabled={loadingOlder || preview}>
            {loadingOlder ? 'Loading earlier messages…' : 'Load earlier messages'}
          </button>
        ) : (
          messages.length > 0 && <p className="log-note">This is the start of the conversation.</p>
        )}
        {olderError && <p className="form-error">{olderError}</p>}
      </div>
      {messages.length === 0 && !hasEarlier && !preview && <p className="log-note">No messages yet. Say hello!</p>}
      <ol className="messages" inert={preview}>
        {messages.map((m, i) => {
          const prev: ChatMessage | undefined = messages[i - 1];
          const newDay = !prev || !sameDay(prev.createdAt, m.createdAt);
          return (
            <MessageRow
              key={m.id}
              message={m}
              replyTarget={m.replyTo ? replyTargets.get(m.replyTo) : undefined}
              viewerId={viewerId}
              showAuthor={isGroup && (newDay || prev?.author.id !== m.author.id)}
              dayLabel={newDay ? formatDay(m.createdAt) : null}
              editing={editingId === m.id}
              picking={pickingId === m.id}
              actions={actions}
            />
          );
        })}
      </ol>
    </div>
  );
}

/**
 * The held messages the shown ones reply to, by id: looked for from the newest back, stopping
 * once all are found (replies mostly answer recent messages), instead of indexing the whole
 * history on every change.
 */
function findReplyTargets(held: ChatMessage[], shown: ChatMessage[]): Map<string, ChatMessage> {
  const wanted = new Set<string>();
  for (const m of shown) if (m.replyTo) wanted.add(m.replyTo);
  const found = new Map<string, ChatMessage>();
  for (let i = held.length - 1; i >= 0 && found.size < wanted.size; i--) {
    const m = held[i] as ChatMessage;
    if (wanted.has(m.id)) found.set(m.id, m);
  }
  return found;
}
