import { useEffect, useMemo, useRef, useState } from 'react';
import { BackButton } from './BackButton.js';
import { Composer } from './Composer.js';
import { useConversationSummary, useConversationView, useSession } from './hooks.js';
import { MessageLog } from './MessageLog.js';
import type { RowActions } from './MessageRow.js';
import { NavButton } from './NavButton.js';
import { paths } from './router.js';
import { SendWhenOpen } from './SendWhenOpen.js';

/**
 * One conversation: its title, the message log, and the composer. Right after a launch it
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

  const replyTo = replyId ? (view.messages.find((m) => m.id === replyId) ?? null) : null;
  const title = summary?.title ?? 'Conversation';
  const subtitle = summary ? (summary.kind === 'GROUP' ? `Group · ${summary.memberCount} members` : 'Direct message') : '';

  return (
    <section className="conversation" aria-labelledby="conversation-title">
      <div className="pane-header conversation-header">
        <BackButton fallback={paths.home} className="back-in-conversation" />
        <div className="conversation-heading">
          <h1 id="conversation-title">{title}</h1>
          {subtitle && <p className="subtitle">{subtitle}</p>}
        </div>
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
      <SendWhenOpen opening={view.preview === true}>
        <Composer conversationId={conversationId} replyTo={replyTo} onReplyDone={() => setReplyId(null)} inputRef={composerInput} />
      </SendWhenOpen>
    </section>
  );
}
