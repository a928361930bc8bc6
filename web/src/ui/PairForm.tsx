import { limits } from '@mailboat/schema';
import { useState } from 'react';
import { useClient } from './client-context.js';
import { Field } from './Field.js';
import { FormError } from './FormError.js';
import { useAction } from './useAction.js';

/** Redeems a pairing code shown on a signed-in device, signing this device into the same account. */
export function PairForm({ initialCode }: { initialCode: string | null }) {
  const client = useClient();
  const [code, setCode] = useState(initialCode ?? '');
  const action = useAction(() => client.redeemPairingCode(code.trim()));
  return (
    <form className="stack" onSubmit={action.submit}>
      <Field
        label="Pairing code"
        name="pairingCode"
        hint="On a device that is signed in, open Devices and choose “Link a new device”."
        autoComplete="one-time-code"
        autoCapitalize="characters"
        spellCheck={false}
        required
        maxLength={limits.pairingCodeLength * 2}
        className="code-input"
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <FormError message={action.error} />
      <button type="submit" className="button primary" disabled={action.busy}>
        Link this device
      </button>
    </form>
  );
}
