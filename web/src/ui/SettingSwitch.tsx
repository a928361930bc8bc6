import { useId } from 'react';
import type { AccountSettings } from '../app/model.js';
import { useClient } from './client-context.js';
import { FormError } from './FormError.js';
import { useAccountSettings } from './hooks.js';
import { useAction } from './useAction.js';

/**
 * One account setting as a labelled switch (a checkbox with role "switch"), with a hint tied
 * to it. It changes the setting online (updateSettings) and shows why when that fails; it is
 * disabled until the settings were read once and while a change is under way.
 */
export function SettingSwitch({ setting, label, hint }: { setting: keyof AccountSettings; label: string; hint: string }) {
  const client = useClient();
  const settings = useAccountSettings();
  const id = useId();
  const change = useAction(async (on: boolean) => {
    await client.updateSettings({ [setting]: on });
  });
  return (
    <div className="setting">
      <div className="setting-row">
        <label htmlFor={id} className="setting-label">
          {label}
        </label>
        <input
          id={id}
          type="checkbox"
          role="switch"
          aria-checked={settings?.[setting] ?? false}
          className="switch"
          aria-describedby={`${id}-hint`}
          checked={settings?.[setting] ?? false}
          disabled={!settings || change.busy}
          onChange={(e) => void change.run(e.target.checked)}
        />
      </div>
      <p id={`${id}-hint`} className="field-hint">
        {hint}
      </p>
      <FormError message={change.error} />
    </div>
  );
}
