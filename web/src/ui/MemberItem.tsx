import type { Member, MemberRole } from '../app/model.js';
import { useClient } from './client-context.js';
import { FormError } from './FormError.js';
import { usePresence } from './hooks.js';
import { useAction } from './useAction.js';

const roleNames: Record<MemberRole, string> = { OWNER: 'Owner', ADMIN: 'Admin', MEMBER: 'Member' };

/** A member: name, handle, "online" while they are (when their presence is not hidden) and role; the role picker and "Remove" appear only when the viewer may use them. */
export function MemberItem({
  conversationId,
  member,
  isSelf,
  viewerRole,
  onChanged,
}: {
  conversationId: string;
  member: Member;
  isSelf: boolean;
  /** null in a direct conversation: nothing to manage. */
  viewerRole: MemberRole | null;
  onChanged: () => Promise<void>;
}) {
  const client = useClient();
  const { user, role } = member;
  const setRole = useAction(async (next: MemberRole) => {
    await client.setRole(conversationId, user.id, next);
    await onChanged();
  });
  const remove = useAction(async () => {
    await client.removeMember(conversationId, user.id);
    await onChanged();
  });
  const canSetRole = !isSelf && viewerRole === 'OWNER';
  const canRemove = !isSelf && (viewerRole === 'OWNER' || (viewerRole === 'ADMIN' && role === 'MEMBER'));
  const roleId = `role-${user.id}`;
  const online = usePresence(isSelf ? null : user.id)?.online === true;

  return (
    <li className="member">
      <div className="member-who">
        <span className="member-name">
          {user.displayName}
          {isSelf && <span className="muted"> (you)</span>}
        </span>
        <span className="muted">
          @{user.handle}
          {online && <span className="member-online"> · online</span>}
        </span>
      </div>
      <div className="member-controls">
        {canSetRole ? (
          <>
            <label htmlFor={roleId} className="visually-hidden">
              Role for {user.displayName}
            </label>
            <select id={roleId} value={role} disabled={setRole.busy} onChange={(e) => void setRole.run(e.target.value as MemberRole)}>
              {(Object.keys(roleNames) as MemberRole[]).map((r) => (
                <option key={r} value={r}>
                  {roleNames[r]}
                </option>
              ))}
            </select>
          </>
        ) : (
          viewerRole && <span className={`role role-${role.toLowerCase()}`}>{roleNames[role]}</span>
        )}
        {canRemove && (
          <button
            type="button"
            className="button small danger"
            aria-label={`Remove ${user.displayName}`}
            disabled={remove.busy}
            onClick={() => void remove.run()}
          >
            Remove
          </button>
        )}
      </div>
      <FormError message={setRole.error ?? remove.error} />
    </li>
  );
}
