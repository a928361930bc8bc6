import { limits } from '@mailboat/schema';
import { useState } from 'react';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { useAction } from './useAction.js';

/** Renames a group (owners and admins). */
export function RenameForm({ conversationId, title, onDone }: { conversationId: string; title: string; onDone: () => Promise<void> }) {
  const client = useClient();
  const [value, setValue] = useState(title);
  const rename = useAction(async () => {
    await client.rename(conversationId, value.trim());
    await onDone();
  });
  return (
    <section className="card" aria-labelledby="rename-heading">
      <h2 id="rename-heading">Group name</h2>
      <form className="inline-form" onSubmit={rename.submit}>
        <Field
          label="Group title"
          required
          maxLength={limits.conversationTitle.max}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="button" disabled={rename.busy || value.trim() === title}>
          Rename
        </button>
      </form>
      <FormError message={rename.error} />
    </section>
  );
}
