import { ErrorCode, limits } from '@mailboat/schema';
import { useState } from 'react';
import { ClientError } from '../app/model.js';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { findUsers, parseHandles } from './handles.js';
import { Page } from './Page.js';
import { navigate, paths } from './router.js';
import { useAction } from './useAction.js';

/** Start a direct conversation by handle, or a group with a title and members. Needs the network. */
export function NewConversationScreen() {
  const client = useClient();
  const [handle, setHandle] = useState('');
  const [title, setTitle] = useState('');
  const [memberHandles, setMemberHandles] = useState('');

  const direct = useAction(async () => {
    const [user] = await findUsers(client, parseHandles(handle).slice(0, 1));
    if (!user) throw new ClientError(ErrorCode.BAD_USER_INPUT, 'Enter a handle.');
    const id = await client.openDirect(user.id);
    navigate(paths.conversation(id), { replace: true });
  });
  const group = useAction(async () => {
    const users = await findUsers(client, parseHandles(memberHandles));
    const id = await client.createGroup(
      title.trim(),
      users.map((u) => u.id),
    );
    navigate(paths.conversation(id), { replace: true });
  });

  return (
    <Page title="New conversation">
      <section className="card" aria-labelledby="new-direct">
        <h2 id="new-direct">Direct message</h2>
        <form className="stack" onSubmit={direct.submit}>
          <Field
            label="Handle"
            name="handle"
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            required
            value={handle}
            onChange={(e) => setHandle(e.target.value)}
          />
          <FormError message={direct.error} />
          <button type="submit" className="button primary" disabled={direct.busy}>
            Start chat
          </button>
        </form>
      </section>
      <section className="card" aria-labelledby="new-group">
        <h2 id="new-group">Group</h2>
        <form className="stack" onSubmit={group.submit}>
          <Field
            label="Group title"
            name="title"
            required
            maxLength={limits.conversationTitle.max}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
          <Field
            label="Members (handles, comma separated)"
            name="members"
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            placeholder="alice, bob"
            value={memberHandles}
            onChange={(e) => setMemberHandles(e.target.value)}
          />
          <FormError message={group.error} />
          <button type="submit" className="button primary" disabled={group.busy}>
            Create group
          </button>
        </form>
      </section>
    </Page>
  );
}
