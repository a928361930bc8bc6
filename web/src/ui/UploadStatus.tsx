import type { ChatMessage } from '../app/model.js';
import { useClient } from './client-context.js';
import { formatBytes } from './file-size.js';
import { useSyncState } from './hooks.js';
import { uploadsOf } from './upload-progress.js';

/**
 * Under an own message whose photos or files are still going up: how far (or that they wait
 * for the network, or why one was refused) and Cancel, which drops the message and its files
 * (client.cancelUpload). A message the server refused shows FailureNotice instead.
 */
export function UploadStatus({ message }: { message: ChatMessage }) {
  const client = useClient();
  const network = useSyncState().network;
  const { active, failed } = uploadsOf(message.attachments);
  if (active.length === 0 && failed.length === 0) return null;
  let text: string;
  if (failed.length > 0) {
    const first = failed[0];
    text = `Could not send ${first?.name}${first?.upload?.error ? `: ${first.upload.error}` : '.'}`;
  } else if (active.every((a) => a.upload?.state === 'waiting')) {
    text = network === 'offline' ? 'Waiting for network' : 'Waiting to upload';
  } else {
    const size = active.reduce((sum, a) => sum + a.size, 0);
    const sent = active.reduce((sum, a) => sum + Math.min(a.size, a.upload?.sentBytes ?? 0), 0);
    text = `Sending ${formatBytes(sent)} of ${formatBytes(size)}`;
  }
  return (
    <div className={`upload-status${failed.length > 0 ? ' is-failed' : ''}`}>
      <p className="upload-status-text">{text}</p>
      <button type="button" className="action" onClick={() => client.cancelUpload(message.id)}>
        Cancel<span className="visually-hidden"> sending</span>
      </button>
    </div>
  );
}
