import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createMailboatClient } from './app/client.js';
import { answerNotificationMessages } from './app/notification-routing.js';
import { registerServiceWorker } from './app/register-sw.js';
import { showUnreadBadge } from './app/unread-badge.js';
import { pageLocalStorage, ScreenSnapshots } from './launch/screen-snapshot.js';
import { ScreenSnapshotWriter } from './launch/screen-snapshot-writer.js';
import './styles/app.css';
import { App } from './ui/App.js';
import { onRouteChange, parseRoute } from './ui/router.js';
import { offerUpdate } from './ui/update-store.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const client = createMailboatClient();
// The stored session is read from IndexedDB first, so a signed-in person never sees the
// sign-in screen flash by; a device that cannot open its storage still gets the app.
// Until then #root may show the last screen snapshot (launch/screen-snapshot-painter.ts, read-only):
// React's first commit empties #root and puts the app in its place in one go.
void client.ready
  .catch((e: unknown) => console.error('Mailboat could not open its local data', e))
  .finally(() => {
    createRoot(root).render(
      <StrictMode>
        <App client={client} />
      </StrictMode>,
    );
    new ScreenSnapshotWriter(root, client, new ScreenSnapshots(pageLocalStorage()), {
      current: () => parseRoute(location.hash).name,
      onChange: onRouteChange,
    });
    showUnreadBadge(client);
  });
// The service worker asks which conversation is on screen, and opens clicked notifications' conversations.
answerNotificationMessages(client);
// A new version waits until the person chooses "Reload" in the prompt (ui/UpdatePrompt.tsx).
registerServiceWorker(offerUpdate);
