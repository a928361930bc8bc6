import { useEffect, useMemo, useRef, useState } from 'react';
import { BackButton } from './BackButton.js';
import { Composer } from './Composer.js';
import { useClient } from './client-context.js';
import { DropOverlay } from './DropOverlay.js';
import { useConversationSummary, useConversationView, usePresence, useSession, useSyncState } from './hooks.js';
import { MessageLog } from './MessageLog.js';
import type { RowActions } from './MessageRow.js';
import { MuteMenu } from './MuteMenu.js';
import { NavButton } from './NavButton.js';
import { presenceText } from './presence-text.js';
import { paths } from './router.js';
import { SendWhenOpen } from './SendWhenOpen.js';
import { TypingIndicator } from './TypingIndicator.js';
import { useFileDrop } from './useFileDrop.js';
import { useFileTray } from './useFileTray.js';

/**
 * One conversation: its title (with the other person's presence in a direct conversation,
 * fetched on opening and whenever the device is back online), the mute menu, the message
 * log, who is typing, and the composer. Files dropped anywhere on it join the composer's tray
 * (a drop zone shows while they are dragged over it). Right after a launch it
 * may show the preview, the rows of the last run (view.preview); a send is then held until the
 * real view is there.
 */
export function ConversationScreen({ conversationId }: { conversationId: string }) {
  const session = useSession();
  const summary = useConversationSummary(conversationId);
  const view = useConversationView(conversationId);
  const [editingId, setEditing] = useState<string | null>(null);
  const [pickingId, setPicking] = useState<string | null>(null);
  const [replyId, setReplyId] = useState<string | null>(null);
  const composerInput = useRef<HTMLTextAreaElement>(null);
  const tray = useFileTray(conversationId);
  const drop = useFileDrop((files, notes) => {
    tray.add(files, notes);
    composerInput.current?.focus();
  });

  const actions = useMemo<RowActions>(
    () => ({
      setEditing: (id) => {
        setPicking(null);
        setEditing(id);
      },
      setPicking,
      reply: (id) => {
        setReplyId(id);
        composerInput.current?.focus();
      },
    }),
    [],
  );

  useEffect(() => {
    composerInput.current?.focus({ preventScroll: true });
  }, []);

  const otherUserId = summary?.otherUserId ?? null;
  const presence = usePresence(otherUserId);
  const client = useClient();
  const network = useSyncState().network;
  useEffect(() => {
    if (otherUserId && network === 'online') client.refreshPresence([otherUserId]).catch(() => undefined);
  }, [client, otherUserId, network]);

  const replyTo = replyId ? (view.messages.find((m) => m.id === replyId) ?? null) : null;
  const title = summary?.title ?? 'Conversation';
  const seen = presenceText(presence);
  const subtitle = summary ? (summary.kind === 'GROUP' ? `Group · ${summary.memberCount} members` : (seen ?? 'Direct message')) : '';

  return (
    <section className="conversation" aria-labelledby="conversation-title" {...drop.handlers}>
      <div className="pane-header conversation-header">
        <BackButton fallback={paths.home} className="back-in-conversation" />
        <div className="conversation-heading">
          <h1 id="conversation-title">{title}</h1>
          {subtitle && <p className={`subtitle${seen && summary?.kind === 'DIRECT' ? ' presence-line' : ''}`}>{subtitle}</p>}
        </div>
        {summary && <MuteMenu conversation={summary} />}
        <NavButton to={paths.members(conversationId)} className="button small">
          Members
        </NavButton>
      </div>
      <MessageLog
        conversationId={conversationId}
        view={view}
        viewerId={session?.user.id ?? ''}
        isGroup={summary?.kind === 'GROUP'}
        unreadCount={summary?.unreadCount ?? 0}
        editingId={editingId}
        pickingId={pickingId}
        actions={actions}
      />
      <TypingIndicator conversationId={conversationId} />
      <SendWhenOpen opening={view.preview === true}>
        <Composer
          conversationId={conversationId}
          replyTo={replyTo}
          onReplyDone={() => setReplyId(null)}
          inputRef={composerInput}
          tray={tray}
        />
      </SendWhenOpen>
      {drop.dragging && <DropOverlay title={title} />}
    </section>
  );
}
