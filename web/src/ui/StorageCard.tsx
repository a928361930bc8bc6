import { useId, useState } from 'react';
import { useClient } from './client-context.js';
import { formatBytes } from './file-size.js';

const MB = 1024 * 1024;
/** The sizes offered for the attachment cache of this device. */
const CHOICES = [100 * MB, 500 * MB, 1024 * MB, 2048 * MB];

/**
 * The profile's "Storage on this device": how much of the photos and files opened here the
 * device keeps, so they open again offline (the least recently used go first past it). A
 * setting of this device only (client.setAttachmentCacheLimit), applied at once.
 */
export function StorageCard() {
  const client = useClient();
  const [limit, setLimit] = useState(() => client.attachmentCacheLimit());
  const hintId = useId();
  const choices = CHOICES.includes(limit) ? CHOICES : [...CHOICES, limit].sort((a, b) => a - b);
  return (
    <section className="card" aria-labelledby="storage-heading">
      <h2 id="storage-heading">Storage on this device</h2>
      <fieldset className="choice-group" aria-describedby={hintId}>
        <legend className="setting-label">Keep photos and files up to</legend>
        <div className="choices">
          {choices.map((bytes) => (
            <label key={bytes} className="choice">
              <input
                type="radio"
                name="attachment-cache-limit"
                value={bytes}
                checked={limit === bytes}
                onChange={() => {
                  client.setAttachmentCacheLimit(bytes);
                  setLimit(bytes);
                }}
              />
              <span>{formatBytes(bytes)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <p id={hintId} className="field-hint">
        Photos and files you open are kept here so they open again without a network. When this is full, the ones you opened longest ago are
        removed from this device (they stay in the conversation). Files you have not sent yet are always kept.
      </p>
    </section>
  );
}
