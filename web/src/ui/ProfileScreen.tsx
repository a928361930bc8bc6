import { limits } from '@mailboat/schema';
import { useState } from 'react';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { useSession, useSyncState } from './hooks.js';
import { NotificationsCard } from './NotificationsCard.js';
import { Page } from './Page.js';
import { PrivacyCard } from './PrivacyCard.js';
import { navigate, paths } from './router.js';
import { StorageCard } from './StorageCard.js';
import { useAction } from './useAction.js';

/** The viewer's display name, notifications, privacy and this device's storage settings, and signing out (which wipes this account's data from the device). */
export function ProfileScreen() {
  const client = useClient();
  const session = useSession();
  const [displayName, setDisplayName] = useState(session?.user.displayName ?? '');
  const [saved, setSaved] = useState(false);
  const { pending } = useSyncState();
  /** Set once the person was told that signing out now discards `pending` unsent changes. */
  const [confirming, setConfirming] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    await client.updateProfile(displayName.trim());
    setSaved(true);
  });
  const signOut = useAction(async () => {
    setConfirming(false);
    await client.signOut();
    navigate(paths.home, { replace: true });
  });

  return (
    <Page title="Profile">
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Your profile</h2>
        {session && <p className="muted">Signed in as @{session.user.handle}</p>}
        <form className="stack" onSubmit={save.submit}>
          <Field
            label="Display name"
            name="displayName"
            autoComplete="name"
            required
            maxLength={limits.displayName.max}
            value={displayName}
            onChange={(e) => {
              setDisplayName(e.target.value);
              setSaved(false);
            }}
          />
          <FormError message={save.error} />
          <p className="muted" aria-live="polite">
            {saved ? 'Saved.' : ''}
          </p>
          <button type="submit" className="button primary" disabled={save.busy}>
            Save
          </button>
        </form>
      </section>
      <NotificationsCard />
      <PrivacyCard />
      <StorageCard />
      <section className="card" aria-labelledby="signout-heading">
        <h2 id="signout-heading">Sign out</h2>
        <p className="muted">Signing out removes your conversations and any unsent messages from this device.</p>
        {pending > 0 && (
          <p className="sync-problem" role={confirming ? 'alert' : undefined}>
            {unsentText(pending)}
          </p>
        )}
        <FormError message={signOut.error} />
        {confirming && pending > 0 ? (
          <div className="button-row">
            <button type="button" className="button danger" disabled={signOut.busy} onClick={() => void signOut.run()}>
              Sign out, even if {pending === 1 ? 'it is' : 'they are'} lost
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button
            type="button"
            className="button danger"
            disabled={signOut.busy}
            onClick={() => (pending > 0 ? setConfirming(true) : void signOut.run())}
          >
            Sign out
          </button>
        )}
      </section>
    </Page>
  );
}

/** Why signing out now may lose something, for `n` unsent changes. */
const unsentText = (n: number) =>
  n === 1
    ? '1 change has not been sent yet: it is sent first if Mailboat can be reached, and lost if not.'
    : `${n} changes have not been sent yet: they are sent first if Mailboat can be reached, and lost if not.`;
