import { createContext, useContext } from 'react';
import type { MailboatClient } from '../app/model.js';

/** The one MailboatClient of the app; screens reach it through useClient(). */
export const ClientContext = createContext<MailboatClient | null>(null);

/** The app's client; throws when a screen is rendered outside <ClientContext>. */
export function useClient(): MailboatClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient: no ClientContext above this component');
  return client;
}
