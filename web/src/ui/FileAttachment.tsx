import { useState } from 'react';
import type { ChatAttachment } from '../app/model.js';
import { ClientError, ClientOnlyErrorCode } from '../app/model.js';
import { DownloadIcon } from './AttachmentIcons.js';
import { useClient } from './client-context.js';
import { errorText } from './errors.js';
import { FileIcon } from './FileIcon.js';
import { fileKind } from './file-kind.js';
import { formatBytes } from './file-size.js';
import { saveUrl } from './save-file.js';
import { UploadProgress } from './UploadProgress.js';

/** How long a downloaded file's object URL is kept for the browser to finish reading it. */
const RELEASE_AFTER_MS = 60_000;

/**
 * A file that is not shown inline: its type's icon, its name (cut with … when long; whole in the
 * tooltip), what it is and how big ("PDF · 2.4 MB"), and Download, which gets the bytes
 * (attachmentUrl 'original', from the device's cache when there) and saves them under the name.
 * An own file still going up shows its progress instead of Download.
 */
export function FileAttachment({ file }: { file: ChatAttachment }) {
  const client = useClient();
  const kind = fileKind(file);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const uploading = file.upload !== null && file.upload.state !== 'failed';

  const download = async () => {
    if (busy) return;
    setBusy(true);
    setNote(null);
    try {
      const url = await client.attachmentUrl(file.id, 'original');
      saveUrl(url, file.name);
      setTimeout(() => client.releaseAttachmentUrl(url), RELEASE_AFTER_MS);
    } catch (e) {
      setNote(downloadProblem(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={`file-attachment${file.upload?.state === 'failed' ? ' is-failed' : ''}`} data-attachment-id={file.id}>
      <FileIcon kind={kind} />
      <div className="file-text">
        <span className="file-name" dir="auto" title={file.name}>
          {file.name}
        </span>
        <span className="file-meta">
          {kind.label} · {formatBytes(file.size)}
        </span>
      </div>
      {uploading ? (
        <UploadProgress attachment={file} />
      ) : (
        <button
          type="button"
          className="icon-button file-download"
          aria-label={`Download ${file.name}`}
          title="Download"
          aria-busy={busy || undefined}
          onClick={() => void download()}
        >
          {busy ? <span className="spinner" aria-hidden="true" /> : <DownloadIcon />}
        </button>
      )}
      {note && (
        <p className="file-note" role="status">
          {note}
        </p>
      )}
    </div>
  );
}

function downloadProblem(e: unknown): string {
  if (e instanceof ClientError && e.code === ClientOnlyErrorCode.NETWORK) return 'Not available offline';
  if (e instanceof ClientError && e.code === 'NOT_FOUND') return 'This file is no longer available';
  return errorText(e);
}
