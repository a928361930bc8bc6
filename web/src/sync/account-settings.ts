import type { AccountSettings } from '../app/model.js';
import type { Account } from './account.js';
import type { Api } from './api.js';
import { getMeta, setMeta } from './local-db.js';
import { UPDATE_SETTINGS } from './operations.js';

/**
 * The account's settings (notification text, presence), as last read from the server: kept
 * in the account's IndexedDB so they show offline, re-read at every sync (another device may
 * have changed them; `updateSettings` publishes no event), and changed online only.
 */
export class AccountSettingsStore {
  private current: { userId: string; value: AccountSettings | null } | null = null;
  private loadingFor: string | null = null;

  constructor(
    private readonly api: Api,
    private readonly account: () => Account | null,
    private readonly emit: () => void,
  ) {}

  /** The settings, or null until read (from the device, then the server). */
  get(): AccountSettings | null {
    const account = this.account();
    if (!account) return null;
    if (this.current?.userId === account.viewerId) return this.current.value;
    if (this.loadingFor !== account.viewerId) {
      const userId = account.viewerId;
      this.loadingFor = userId;
      void getMeta(account.db, 'settings').then(
        (stored) => {
          if (this.current?.userId === userId || this.loadingFor !== userId) return;
          this.current = { userId, value: stored ?? null };
          this.emit();
        },
        () => undefined,
      );
    }
    return null;
  }

  /** Takes the server's settings for the open account (a sync read them, or a change answered them). */
  async absorb(settings: AccountSettings): Promise<void> {
    const account = this.account();
    if (!account) return;
    const value = { showMessageText: settings.showMessageText, sharePresence: settings.sharePresence };
    const old = this.current?.userId === account.viewerId ? this.current.value : null;
    if (old && old.showMessageText === value.showMessageText && old.sharePresence === value.sharePresence) return;
    this.current = { userId: account.viewerId, value };
    this.emit();
    await setMeta(account.db, 'settings', value);
  }

  async update(input: Partial<AccountSettings>): Promise<void> {
    const data = await this.api.mutation(UPDATE_SETTINGS, { input });
    await this.absorb(data.updateSettings);
  }
}
