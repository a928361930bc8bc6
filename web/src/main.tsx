import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createMailboatClient } from './app/client.js';
import { registerServiceWorker } from './app/register-sw.js';
import './styles/app.css';
import { App } from './ui/App.js';
import { offerUpdate } from './ui/update-store.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const client = createMailboatClient();
// The stored session is read from IndexedDB first, so a signed-in person never sees the
// sign-in screen flash by; a device that cannot open its storage still gets the app.
void client.ready
  .catch((e: unknown) => console.error('Mailboat could not open its local data', e))
  .finally(() => {
    createRoot(root).render(
      <StrictMode>
        <App client={client} />
      </StrictMode>,
    );
  });
// A new version waits until the person chooses "Reload" in the prompt (ui/UpdatePrompt.tsx).
registerServiceWorker(offerUpdate);
