import { useSyncState } from './hooks.js';

/** Below the header: a progress bar during a long first sync, and the last sync problem worth showing. */
export function SyncBanner() {
  const { progress, problem } = useSyncState();
  if (!progress && !problem) return null;
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
      {problem && (
        <p className="sync-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
