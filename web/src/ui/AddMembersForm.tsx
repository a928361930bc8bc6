import { useState } from 'react';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { findUsers, parseHandles } from './handles.js';
import { useAction } from './useAction.js';

/** Adds people to a group by handle (owners and admins). */
export function AddMembersForm({ conversationId, onDone }: { conversationId: string; onDone: () => Promise<void> }) {
  const client = useClient();
  const [handles, setHandles] = useState('');
  const add = useAction(async () => {
    const users = await findUsers(client, parseHandles(handles));
    if (users.length === 0) return;
    await client.addMembers(
      conversationId,
      users.map((u) => u.id),
    );
    setHandles('');
    await onDone();
  });
  return (
    <section className="card" aria-labelledby="add-heading">
      <h2 id="add-heading">Add people</h2>
      <form className="inline-form" onSubmit={add.submit}>
        <Field
          label="Add members (handles, comma separated)"
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          required
          value={handles}
          onChange={(e) => setHandles(e.target.value)}
        />
        <button type="submit" className="button" disabled={add.busy}>
          Add
        </button>
      </form>
      <FormError message={add.error} />
    </section>
  );
}
