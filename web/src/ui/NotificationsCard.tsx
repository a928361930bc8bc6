import type { NotificationsState } from '../app/model.js';
import { useClient } from './client-context.js';
import { FormError } from './FormError.js';
import { useNotifications } from './hooks.js';
import { SettingSwitch } from './SettingSwitch.js';
import { useAction } from './useAction.js';

/**
 * The profile's notifications: whether this device gets them (on, off, blocked by the
 * browser — and then how to allow them — or not possible in this browser), the button that
 * turns them on (asking the browser's permission, only on this click) or off, and the
 * account's "show message text" setting.
 */
export function NotificationsCard() {
  const client = useClient();
  const state = useNotifications();
  const toggle = useAction(async () => {
    if (state.enabled) await client.disableNotifications();
    else await client.enableNotifications();
  });
  return (
    <section className="card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">Notifications</h2>
      <p className="notify-state" data-state={stateName(state)} aria-live="polite">
        <span className="notify-dot" aria-hidden="true" />
        {stateText(state)}
      </p>
      {state.supported && state.permission === 'denied' && (
        <p className="muted">
          To allow them, open this site’s settings in your browser (the icon at the left of the address bar), set Notifications to “Allow”,
          then come back here.
        </p>
      )}
      {!state.supported && (
        <p className="muted">
          On iPhone and iPad, add Mailboat to your Home Screen first (Share, then “Add to Home Screen”) and open it from there.
        </p>
      )}
      <FormError message={toggle.error} />
      {state.supported && state.permission !== 'denied' && (
        <div className="button-row">
          <button
            type="button"
            className={state.enabled ? 'button' : 'button primary'}
            disabled={toggle.busy}
            onClick={() => void toggle.run()}
          >
            {state.enabled ? 'Turn off notifications' : 'Turn on notifications'}
          </button>
        </div>
      )}
      <SettingSwitch
        setting="showMessageText"
        label="Show message text in notifications"
        hint="Off: notifications only say “New message”. The push service and your lock screen see what they show."
      />
    </section>
  );
}

function stateName(state: NotificationsState): string {
  if (!state.supported) return 'unsupported';
  if (state.permission === 'denied') return 'blocked';
  return state.enabled ? 'on' : 'off';
}

function stateText(state: NotificationsState): string {
  switch (stateName(state)) {
    case 'unsupported':
      return 'This browser cannot show notifications from Mailboat.';
    case 'blocked':
      return 'Blocked by your browser: Mailboat cannot notify you on this device.';
    case 'on':
      return 'On for this device: you are notified of new messages, also when Mailboat is closed.';
    default:
      return 'Off for this device.';
  }
}
