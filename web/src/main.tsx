import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createMailboatClient } from './app/client.js';
import { registerServiceWorker } from './app/register-sw.js';
import { ScreenSnapshotWriter } from './app/screen-snapshot-writer.js';
import './styles/app.css';
import { pageLocalStorage, ScreenSnapshots } from './sync/screen-snapshot.js';
import { App } from './ui/App.js';
import { offerUpdate } from './ui/update-store.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const client = createMailboatClient();
// The stored session is read from IndexedDB first, so a signed-in person never sees the
// sign-in screen flash by; a device that cannot open its storage still gets the app.
// Until then #root may show the last screen snapshot (public/screen-snapshot.js, read-only):
// React's first commit empties #root and puts the app in its place in one go.
void client.ready
  .catch((e: unknown) => console.error('Mailboat could not open its local data', e))
  .finally(() => {
    createRoot(root).render(
      <StrictMode>
        <App client={client} />
      </StrictMode>,
    );
    new ScreenSnapshotWriter(root, client, new ScreenSnapshots(pageLocalStorage()));
  });
// A new version waits until the person chooses "Reload" in the prompt (ui/UpdatePrompt.tsx).
registerServiceWorker(offerUpdate);
