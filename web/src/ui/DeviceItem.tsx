import type { Device } from '../app/model.js';
import { useClient } from './client-context.js';
import { FormError } from './FormError.js';
import { formatFull, formatListTime } from './format.js';
import { useAction } from './useAction.js';

/** A device: name, platform, when it was last seen and synced; "Revoke" signs it out (not this device: use Sign out). */
export function DeviceItem({ device: d, onRevoked }: { device: Device; onRevoked: () => Promise<void> }) {
  const client = useClient();
  const revoke = useAction(async () => {
    await client.revokeDevice(d.id);
    await onRevoked();
  });
  return (
    <li className="device">
      <div className="device-who">
        <span className="device-name">
          {d.name}
          {d.isCurrent && <span className="badge">This device</span>}
        </span>
        <span className="muted">
          {d.platform} · last seen{' '}
          <time dateTime={new Date(d.lastSeenAt).toISOString()} title={formatFull(d.lastSeenAt)}>
            {formatListTime(d.lastSeenAt)}
          </time>
          {d.lastSyncAt !== null && <> · synced {formatListTime(d.lastSyncAt)}</>}
        </span>
      </div>
      {!d.isCurrent && (
        <button
          type="button"
          className="button small danger"
          aria-label={`Revoke ${d.name}`}
          disabled={revoke.busy}
          onClick={() => void revoke.run()}
        >
          Revoke
        </button>
      )}
      <FormError message={revoke.error} />
    </li>
  );
}
