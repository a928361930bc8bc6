import { SettingSwitch } from './SettingSwitch.js';

/** The profile's privacy: whether others see when the viewer is online and was last seen. */
export function PrivacyCard() {
  return (
    <section className="card" aria-labelledby="privacy-heading">
      <h2 id="privacy-heading">Privacy</h2>
      <SettingSwitch
        setting="sharePresence"
        label="Show when I’m online"
        hint="Off: nobody sees when you are online or were last seen, and you do not see theirs."
      />
    </section>
  );
}
