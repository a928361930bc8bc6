import { useEffect, useState } from 'react';
import type { PairingCode } from '../app/model.js';
import { useClient } from './client-context.js';
import { FormError } from './FormError.js';
import { formatFromNow } from './format.js';
import { PairingQr } from './PairingQr.js';
import { paths } from './router.js';
import { useAction } from './useAction.js';

/** "Link a new device": a one-time pairing code as text and as a QR code, until it expires. */
export function PairingPanel() {
  const client = useClient();
  const [code, setCode] = useState<PairingCode | null>(null);
  const [now, setNow] = useState(Date.now());
  const create = useAction(async () => setCode(await client.createPairingCode()));
  useEffect(() => {
    if (!code) return;
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [code]);
  const expired = code !== null && code.expiresAt <= now;
  const link = code ? `${location.origin}${location.pathname}#${paths.pair(code.code)}` : '';

  return (
    <section className="card" aria-labelledby="pairing-heading">
      <h2 id="pairing-heading">Link a device</h2>
      <p className="muted">On the new device, open Mailboat, choose “Use a pairing code”, and enter the code (or scan the QR code).</p>
      <button type="button" className="button primary" disabled={create.busy} onClick={() => void create.run()}>
        Link a new device
      </button>
      <FormError message={create.error} />
      {code && (
        <div className="pairing" aria-live="polite">
          <p className="pairing-label">Pairing code</p>
          <p className={`pairing-code${expired ? ' is-expired' : ''}`} data-testid="pairing-code">
            {code.code}
          </p>
          <p className="muted">{expired ? 'This code has expired. Make a new one.' : `Expires ${formatFromNow(code.expiresAt, now)}.`}</p>
          {!expired && <PairingQr value={link} />}
        </div>
      )}
    </section>
  );
}
