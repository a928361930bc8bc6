import { useEffect } from 'react';
import { AppHeader } from './AppHeader.js';
import { ConversationList } from './ConversationList.js';
import { ConversationScreen } from './ConversationScreen.js';
import { DevicesScreen } from './DevicesScreen.js';
import { MembersScreen } from './MembersScreen.js';
import { NewConversationScreen } from './NewConversationScreen.js';
import { ProfileScreen } from './ProfileScreen.js';
import { navigate, paths, type Route } from './router.js';

const authRoutes = new Set<Route['name']>(['signin', 'signup', 'pair']);

/**
 * Signed in: the header and the screen for the route. On wide screens the conversation list
 * stays beside an open conversation; on phones each is a screen of its own. `data-user-id`
 * says whose screen this is (the screen snapshot is only taken of the open account's).
 */
export function Shell({ route, userId }: { route: Route; userId: string }) {
  const isAuthRoute = authRoutes.has(route.name);
  useEffect(() => {
    if (isAuthRoute) navigate(paths.home, { replace: true });
  }, [isAuthRoute]);

  return (
    <div className="app" data-user-id={userId}>
      <AppHeader signedIn />
      <Content route={route} />
    </div>
  );
}

function Content({ route }: { route: Route }) {
  switch (route.name) {
    case 'conversation':
      return (
        <div className="split">
          <aside className="split-list" aria-label="Chats">
            <ConversationList headingLevel={2} selectedId={route.id} />
          </aside>
          <main className="split-main">
            <ConversationScreen key={route.id} conversationId={route.id} />
          </main>
        </div>
      );
    case 'members':
      return <MembersScreen key={route.id} conversationId={route.id} />;
    case 'new':
      return <NewConversationScreen />;
    case 'devices':
      return <DevicesScreen />;
    case 'profile':
      return <ProfileScreen />;
    default:
      return (
        <div className="split split-home">
          <main className="split-list">
            <ConversationList headingLevel={1} selectedId={null} />
          </main>
          <div className="split-main split-placeholder" aria-hidden="true">
            <p>Choose a conversation, or start a new one.</p>
          </div>
        </div>
      );
  }
}
