import type { ChatAttachment } from '../app/model.js';
import { useSyncState } from './hooks.js';
import { uploadFraction } from './upload-progress.js';

const R = 15;
const CIRCUMFERENCE = 2 * Math.PI * R;

/**
 * One attachment's upload as a ring (a progressbar to assistive technology): filled to what was
 * sent; turning, with "Waiting for network" (or "Waiting to upload" behind another upload) when
 * it is queued. With `label`, the words show under the ring too (on a photo).
 */
export function UploadProgress({ attachment, label = false }: { attachment: ChatAttachment; label?: boolean }) {
  const network = useSyncState().network;
  const upload = attachment.upload;
  if (!upload || upload.state === 'failed') return null;
  const waiting = upload.state === 'waiting';
  const percent = Math.round(uploadFraction(attachment) * 100);
  const words = waiting ? (network === 'offline' ? 'Waiting for network' : 'Waiting to upload') : `${percent}%`;
  return (
    <span className={`upload-progress${waiting ? ' is-waiting' : ''}`}>
      <span
        className="upload-ring"
        role="progressbar"
        aria-label={`Sending ${attachment.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={waiting ? undefined : percent}
        aria-valuetext={words}
      >
        <svg viewBox="0 0 36 36" aria-hidden="true" focusable="false">
          <circle className="upload-ring-track" cx="18" cy="18" r={R} />
          <circle
            className="upload-ring-bar"
            cx="18"
            cy="18"
            r={R}
            strokeDasharray={CIRCUMFERENCE}
            strokeDashoffset={waiting ? CIRCUMFERENCE * 0.75 : CIRCUMFERENCE * (1 - percent / 100)}
          />
        </svg>
      </span>
      {label && (
        <span className="upload-words" aria-hidden="true">
          {words}
        </span>
      )}
    </span>
  );
}
