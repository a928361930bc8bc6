import { useState } from 'react';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { useAction } from './useAction.js';

/** Handle and password; on success the session appears and the app shows the conversations. */
export function SignInForm() {
  const client = useClient();
  const [handle, setHandle] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(() => client.signIn({ handle: handle.trim(), password }));
  return (
    <form className="stack" onSubmit={action.submit}>
      <Field
        label="Handle"
        name="handle"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        value={handle}
        onChange={(e) => setHandle(e.target.value)}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <FormError message={action.error} />
      <button type="submit" className="button primary" disabled={action.busy}>
        Sign in
      </button>
    </form>
  );
}
