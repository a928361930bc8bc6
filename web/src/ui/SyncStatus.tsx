import type { SyncState } from '../app/model.js';
import { useSyncState } from './hooks.js';

/** "Offline · 3 pending", "Syncing", "Online": what the status line says. */
export function syncLabel(state: SyncState): string {
  const parts = [state.network === 'offline' ? 'Offline' : state.syncing ? 'Syncing' : 'Online'];
  if (state.pending > 0) parts.push(`${state.pending} pending`);
  return parts.join(' · ');
}

/** The connection and sync state, shown in the header of every screen. */
export function SyncStatus() {
  const state = useSyncState();
  return (
    <div
      role="status"
      className="sync-status"
      data-network={state.network}
      data-syncing={String(state.syncing)}
      data-pending={state.pending}
    >
      <span className="sync-dot" aria-hidden="true" />
      {syncLabel(state)}
    </div>
  );
}
