import type { SyncState } from '../app/model.js';
import { formatFull } from './format.js';
import { useSyncState } from './hooks.js';

/** Warn this long before unsent writes would be lost with the sign-in. */
const WARN_BEFORE_MS = 3 * 24 * 60 * 60 * 1000;

/** The warning about unsent writes whose sign-in runs out soon, or null. */
export function unsentWarning(state: Pick<SyncState, 'pending' | 'unsentDeadline'>, now = Date.now()): string | null {
  if (state.pending === 0 || state.unsentDeadline === null || state.unsentDeadline - now > WARN_BEFORE_MS) return null;
  const changes = state.pending === 1 ? '1 unsent change' : `${state.pending} unsent changes`;
  if (state.unsentDeadline <= now) return `This device's sign-in has run out: ${changes} can no longer be sent.`;
  return `Connect to Mailboat before ${formatFull(state.unsentDeadline)}, or ${changes} will be lost when this device's sign-in runs out.`;
}

/** Below the header: a progress bar during a long first sync, unsent writes at risk, and the last sync problem worth showing. */
export function SyncBanner() {
  const state = useSyncState();
  const { progress, problem } = state;
  const warning = unsentWarning(state);
  if (!progress && !problem && !warning) return null;
  const percent = progress && progress.total > 0 ? Math.min(100, (100 * progress.done) / progress.total) : 0;
  return (
    <div className="sync-banner">
      {progress && (
        <div className="sync-progress-row">
          <span id="sync-progress-label">
            Syncing history: {progress.done} of {progress.total}
          </span>
          <div
            className="sync-progress"
            role="progressbar"
            aria-labelledby="sync-progress-label"
            aria-valuemin={0}
            aria-valuemax={progress.total}
            aria-valuenow={progress.done}
          >
            <div className="sync-progress-bar" style={{ width: `${percent}%` }} />
          </div>
        </div>
      )}
      {warning && (
        <p className="sync-problem" role="alert">
          {warning}
        </p>
      )}
      {problem && (
        <p className="sync-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
