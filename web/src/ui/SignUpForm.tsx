import { limits } from '@mailboat/schema';
import { useState } from 'react';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { useAction } from './useAction.js';

/** Handle, display name and password; creating the account also signs this device in. */
export function SignUpForm() {
  const client = useClient();
  const [handle, setHandle] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(() => client.signUp({ handle: handle.trim(), displayName: displayName.trim(), password }));
  return (
    <form className="stack" onSubmit={action.submit}>
      <Field
        label="Handle"
        name="handle"
        hint={`${limits.handle.min}–${limits.handle.max} lower-case letters, digits or _. Others find you by it.`}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        minLength={limits.handle.min}
        maxLength={limits.handle.max}
        value={handle}
        onChange={(e) => setHandle(e.target.value)}
      />
      <Field
        label="Display name"
        name="displayName"
        autoComplete="name"
        required
        maxLength={limits.displayName.max}
        value={displayName}
        onChange={(e) => setDisplayName(e.target.value)}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        hint={`At least ${limits.password.min} characters.`}
        autoComplete="new-password"
        required
        minLength={limits.password.min}
        maxLength={limits.password.max}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <FormError message={action.error} />
      <button type="submit" className="button primary" disabled={action.busy}>
        Create account
      </button>
    </form>
  );
}
