import { useEffect } from 'react';
import { useClient } from './client-context.js';

/**
 * Syncs on launch (and when an account signs in: `accountKey` changes), when the network comes
 * back, and when the app returns to the foreground.
 */
export function useSyncTriggers(accountKey: string | null): void {
  const client = useClient();
  // biome-ignore lint/correctness/useExhaustiveDependencies: accountKey re-runs the launch sync when an account signs in
  useEffect(() => {
    const sync = () => {
      Promise.resolve()
        .then(() => client.syncNow())
        .catch(() => {
          // The sync state reports problems; a failed trigger has nothing more to say.
        });
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') sync();
    };
    sync();
    window.addEventListener('online', sync);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('online', sync);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [client, accountKey]);
}
