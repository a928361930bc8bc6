import { useClient } from './client-context.js';
import { FormError } from './FormError.js';
import { useNotifications } from './hooks.js';
import { useAction } from './useAction.js';

/**
 * A one-line offer above the conversation list, "Get notified of new messages — Turn on",
 * while the browser can show notifications, nobody has answered its permission question yet,
 * and the person has not dismissed the offer on this device. "Turn on" asks the browser's
 * permission (only on this click); "Not now" hides the offer for good here (the profile keeps
 * the button).
 */
export function NotificationPrompt() {
  const client = useClient();
  const state = useNotifications();
  const enable = useAction(() => client.enableNotifications());
  if (!state.supported || state.permission !== 'default' || state.enabled || state.promptDismissed) return null;
  return (
    <section className="notify-prompt" aria-label="Notifications">
      <p className="notify-prompt-text">Get notified of new messages</p>
      <div className="notify-prompt-actions">
        <button type="button" className="button small primary" disabled={enable.busy} onClick={() => void enable.run()}>
          Turn on
        </button>
        <button type="button" className="button small" onClick={() => client.dismissNotificationPrompt()}>
          Not now
        </button>
      </div>
      <FormError message={enable.error} />
    </section>
  );
}
