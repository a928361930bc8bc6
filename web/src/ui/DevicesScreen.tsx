import { useCallback, useEffect, useState } from 'react';
import type { Device } from '../app/model.js';
import { useClient } from './client-context.js';
import { DeviceItem } from './DeviceItem.js';
import { errorText } from './errors.js';
import { FormError } from './FormError.js';
import { Page } from './Page.js';
import { PairingPanel } from './PairingPanel.js';

/** The account's devices: this one marked, others revocable; and linking a new one with a pairing code. */
export function DevicesScreen() {
  const client = useClient();
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setDevices(await client.devices());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [client]);
  useEffect(() => {
    void reload();
  }, [reload]);

  return (
    <Page title="Devices">
      <PairingPanel />
      <section className="card" aria-labelledby="device-list-heading">
        <h2 id="device-list-heading">Signed-in devices</h2>
        <FormError message={error} />
        {!devices && !error && <p className="muted">Loading…</p>}
        {devices && (
          <ul className="device-list" aria-label="Devices">
            {devices.map((d) => (
              <DeviceItem key={d.id} device={d} onRevoked={reload} />
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}
