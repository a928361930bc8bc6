import { useState } from 'react';
import type { ChatAttachment } from '../app/model.js';
import { imageBoxStyle } from './image-box.js';
import type { AttachmentUrl } from './useAttachmentUrl.js';
import { useAttachmentUrl } from './useAttachmentUrl.js';

/**
 * One photo of the viewer: the full photo (`original`) over its thumbnail and ThumbHash, in a
 * frame of its final shape, so it sharpens in place. When the full photo cannot load (offline,
 * gone) the thumbnail stays and a line says why. A click beside the photo closes the viewer.
 */
export function ViewerStage({ image, original, onClose }: { image: ChatAttachment; original: AttachmentUrl; onClose: () => void }) {
  const [sharp, setSharp] = useState(false);
  const thumbnail = useAttachmentUrl(image.id, 'thumbnail', !sharp);
  const problem =
    original.state === 'offline'
      ? 'The full photo is not available offline.'
      : original.state === 'gone'
        ? 'This photo is no longer available.'
        : original.state === 'failed'
          ? 'The photo could not be loaded.'
          : null;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: a click beside the photo closes, as Escape does from the keyboard
    <div
      className="viewer-stage"
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="viewer-frame" style={imageBoxStyle(image, false)}>
        {thumbnail.url && !sharp && <img className="viewer-thumb" src={thumbnail.url} alt="" />}
        {original.url && <img className="viewer-image" src={original.url} alt={image.name} onLoad={() => setSharp(true)} />}
      </div>
      {problem && (
        <p className="viewer-problem" role="status">
          {problem}
        </p>
      )}
    </div>
  );
}
