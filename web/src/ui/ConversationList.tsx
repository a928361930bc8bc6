import { ConversationListItem } from './ConversationListItem.js';
import { useConversations } from './hooks.js';
import { NavButton } from './NavButton.js';
import { NotificationPrompt } from './NotificationPrompt.js';
import { paths } from './router.js';
import { useFocusHeading } from './useFocusHeading.js';

/** The conversations on the device, newest first, with unread counts and the last message. */
export function ConversationList({ headingLevel, selectedId }: { headingLevel: 1 | 2; selectedId: string | null }) {
  const conversations = useConversations();
  const heading = useFocusHeading<HTMLHeadingElement>(headingLevel === 1 ? 'home' : 'list');
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <section className="conversations" aria-labelledby="conversations-heading">
      <div className="pane-header">
        <Heading id="conversations-heading" ref={headingLevel === 1 ? heading : undefined} tabIndex={-1}>
          Chats
        </Heading>
        <NavButton to={paths.newConversation} className="button primary small">
          New conversation
        </NavButton>
      </div>
      <NotificationPrompt />
      {conversations.length === 0 ? (
        <p className="empty">No conversations yet. Start one with “New conversation”.</p>
      ) : (
        <ul className="conversation-list" aria-label="Conversations">
          {conversations.map((c) => (
            <ConversationListItem key={c.id} conversation={c} selected={c.id === selectedId} />
          ))}
        </ul>
      )}
    </section>
  );
}
