import { App } from './app.js';
import { Profile } from './browser.js';

/**
 * Links a new browser profile (`name`, on the app at `appUrl`) to the account signed in on `app`, the way a person
 * does: "Devices" → "Link a new device" shows a code, typed into the new device's "Use a
 * pairing code". Leaves `app` back on its conversation list and the new device on its own.
 */
export async function linkSecondDevice(app: App, appUrl: string, name: string, viewport?: { width: number; height: number }): Promise<App> {
  await app.back();
  await app.control('Devices').click();
  await app.control('Link a new device').click();
  const code = (await app.page.getByTestId('pairing-code').textContent())?.trim() ?? '';
  const device = new App(await Profile.open(name, appUrl, viewport));
  await device.profile.goto();
  await device.control('Use a pairing code').click();
  await device.submitForm('Link this device', { 'Pairing code': code });
  await device.home().waitFor();
  await app.back();
  return device;
}
