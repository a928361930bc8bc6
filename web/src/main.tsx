import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createMailboatClient } from './app/client.js';
import { registerServiceWorker } from './app/register-sw.js';
import './styles/app.css';
import { App } from './ui/App.js';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const client = createMailboatClient();
createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
registerServiceWorker();
