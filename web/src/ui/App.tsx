import type { MailboatClient } from '../app/model.js';
import { AuthScreen } from './AuthScreen.js';
import { ClientContext } from './client-context.js';
import { useSession } from './hooks.js';
import { useRoute } from './router.js';
import { Shell } from './Shell.js';
import { UpdatePrompt } from './UpdatePrompt.js';
import { useSyncTriggers } from './useSyncTriggers.js';

/** The app: the signed-in shell when this device has a session, else the sign-in screens; above either, the update prompt. */
export function App({ client }: { client: MailboatClient }) {
  return (
    <ClientContext value={client}>
      <Screens />
    </ClientContext>
  );
}

function Screens() {
  const session = useSession();
  const route = useRoute();
  useSyncTriggers(session?.user.id ?? null);
  return (
    <>
      <UpdatePrompt />
      {session ? <Shell route={route} userId={session.user.id} /> : <AuthScreen route={route} />}
    </>
  );
}
