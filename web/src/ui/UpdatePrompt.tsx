import { useState } from 'react';
import { useUpdateOffer } from './update-store.js';

/**
 * On every screen, above the header, once a new version waits: says so and offers "Reload",
 * which lets the new version take over and reloads into it. The live region stays mounted
 * (empty until then) so screen readers announce the message when it appears.
 */
export function UpdatePrompt() {
  const activate = useUpdateOffer();
  const [reloading, setReloading] = useState(false);
  return (
    <div className="update-prompt" role="status">
      {activate && (
        <>
          <p className="update-prompt-text">A new version of Mailboat is available.</p>
          <button
            type="button"
            className="button small primary"
            disabled={reloading}
            onClick={() => {
              setReloading(true);
              activate();
            }}
          >
            {reloading ? 'Reloading…' : 'Reload'}
          </button>
        </>
      )}
    </div>
  );
}
