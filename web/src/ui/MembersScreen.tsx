import { useCallback, useEffect, useState } from 'react';
import type { Member } from '../app/model.js';
import { AddMembersForm } from './AddMembersForm.js';
import { useClient } from './client-context.js';
import { errorText } from './errors.js';
import { FormError } from './FormError.js';
import { useConversationSummary, useSession } from './hooks.js';
import { MemberItem } from './MemberItem.js';
import { Page } from './Page.js';
import { RenameForm } from './RenameForm.js';
import { navigate, paths } from './router.js';
import { useAction } from './useAction.js';

/**
 * Who is in a conversation. In a group, owners and admins rename it and add people; owners
 * remove anyone and set roles; admins remove plain members; anyone may leave.
 */
export function MembersScreen({ conversationId }: { conversationId: string }) {
  const client = useClient();
  const session = useSession();
  const summary = useConversationSummary(conversationId);
  const [members, setMembers] = useState<Member[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const list = await client.members(conversationId);
      setMembers(list);
      setLoadError(null);
      const others = list.map((m) => m.user.id).filter((id) => id !== session?.user.id);
      client.refreshPresence(others).catch(() => undefined);
    } catch (e) {
      setLoadError(errorText(e));
    }
  }, [client, conversationId, session?.user.id]);
  const changedAt = summary?.updatedAt;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when the conversation changes (changedAt)
  useEffect(() => {
    void reload();
  }, [reload, changedAt]);

  const leave = useAction(async () => {
    await client.leave(conversationId);
    navigate(paths.home, { replace: true });
  });

  const role = summary?.viewerRole ?? 'MEMBER';
  const isGroup = summary?.kind === 'GROUP';
  const canManage = isGroup && (role === 'OWNER' || role === 'ADMIN');

  return (
    <Page title="Members" back={paths.conversation(conversationId)}>
      {summary && <p className="subtitle">{summary.title}</p>}
      {canManage && summary && <RenameForm conversationId={conversationId} title={summary.title} onDone={reload} />}
      {canManage && <AddMembersForm conversationId={conversationId} onDone={reload} />}
      <section className="card" aria-labelledby="member-list-heading">
        <h2 id="member-list-heading">{members ? `${members.length} ${members.length === 1 ? 'member' : 'members'}` : 'Members'}</h2>
        <FormError message={loadError} />
        {!members && !loadError && <p className="muted">Loading…</p>}
        {members && (
          <ul className="member-list" aria-label="Members">
            {members.map((m) => (
              <MemberItem
                key={m.user.id}
                conversationId={conversationId}
                member={m}
                isSelf={m.user.id === session?.user.id}
                viewerRole={isGroup ? role : null}
                onChanged={reload}
              />
            ))}
          </ul>
        )}
      </section>
      {isGroup && (
        <section className="card" aria-labelledby="leave-heading">
          <h2 id="leave-heading">Leave</h2>
          <p className="muted">You will stop receiving this group’s messages.</p>
          <FormError message={leave.error} />
          <button type="button" className="button danger" disabled={leave.busy} onClick={() => void leave.run()}>
            Leave group
          </button>
        </section>
      )}
    </Page>
  );
}
