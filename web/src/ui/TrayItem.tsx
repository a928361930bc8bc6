import { CloseIcon } from './AttachmentIcons.js';
import { FileIcon } from './FileIcon.js';
import { fileKind } from './file-kind.js';
import { formatBytes } from './file-size.js';
import { isPreviewableImage } from './inline-image.js';
import { useObjectUrl } from './useObjectUrl.js';

/** One chosen file in the tray: a photo's thumbnail (of the local file), or a chip with icon, name and size; and its remove button. */
export function TrayItem({ file, onRemove }: { file: File; onRemove: () => void }) {
  const image = isPreviewableImage(file.type);
  const size = formatBytes(file.size);
  const remove = (
    <button type="button" className="tray-remove" aria-label={`Remove ${file.name}`} title="Remove" onClick={onRemove}>
      <CloseIcon size={16} />
    </button>
  );
  if (image) {
    return (
      <li className="tray-item is-image" title={`${file.name} · ${size}`}>
        <TrayThumb file={file} />
        <span className="visually-hidden" dir="auto">
          {file.name}, {size}
        </span>
        {remove}
      </li>
    );
  }
  const kind = fileKind(file);
  return (
    <li className="tray-item is-file">
      <FileIcon kind={kind} />
      <span className="tray-file-text">
        <span className="tray-name" dir="auto" title={file.name}>
          {file.name}
        </span>
        <span className="tray-size">{size}</span>
      </span>
      {remove}
    </li>
  );
}

/** The photo itself, from an object URL of the local file (revoked when it leaves the tray). */
function TrayThumb({ file }: { file: File }) {
  const url = useObjectUrl(file);
  // A background, not an <img>: a screen snapshot with the tray in it paints nothing for the revoked URL.
  return <span className="tray-thumb" style={url ? { backgroundImage: `url("${url}")` } : undefined} />;
}
