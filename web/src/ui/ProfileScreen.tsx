import { limits } from '@mailboat/schema';
import { type FormEvent, useState } from 'react';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { useSession } from './hooks.js';
import { Page } from './Page.js';
import { navigate, paths } from './router.js';
import { useAction } from './useAction.js';

/** The viewer's display name, and signing out (which wipes this account's data from the device). */
export function ProfileScreen() {
  const client = useClient();
  const session = useSession();
  const [displayName, setDisplayName] = useState(session?.user.displayName ?? '');
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    await client.updateProfile(displayName.trim());
    setSaved(true);
  });
  const signOut = useAction(async () => {
    await client.signOut();
    navigate(paths.home, { replace: true });
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };

  return (
    <Page title="Profile">
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Your profile</h2>
        {session && <p className="muted">Signed in as @{session.user.handle}</p>}
        <form className="stack" onSubmit={submit}>
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
      <section className="card" aria-labelledby="signout-heading">
        <h2 id="signout-heading">Sign out</h2>
        <p className="muted">Signing out removes your conversations and any unsent messages from this device.</p>
        <FormError message={signOut.error} />
        <button type="button" className="button danger" disabled={signOut.busy} onClick={() => void signOut.run()}>
          Sign out
        </button>
      </section>
    </Page>
  );
}
