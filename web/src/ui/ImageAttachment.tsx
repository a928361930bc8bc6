import { useEffect, useRef, useState } from 'react';
import type { ChatAttachment } from '../app/model.js';
import { imageBoxStyle } from './image-box.js';
import { UploadProgress } from './UploadProgress.js';
import { useAttachmentUrl } from './useAttachmentUrl.js';
import { useDecodedImage } from './useDecodedImage.js';
import { useInView } from './useInView.js';

/** How long "Not available offline" stays after a click on a photo that cannot load. */
const NOTE_MS = 3000;

/**
 * A photo in a bubble: a button of its final size from the first frame, painted with its
 * ThumbHash, then with its thumbnail (asked for once near the screen; released on unmount),
 * which fades in once decoded. Both are CSS backgrounds, not <img>: a screen snapshot of the
 * page (launch/) keeps the ThumbHash and simply paints nothing for the object URL, long gone
 * by the next launch, where an <img> would show a broken image.
 * Click or Enter opens it (`onOpen`); when it cannot load offline, the placeholder stays and
 * a click says so instead. An own photo still going up shows its progress over it. The last
 * tile of a grid with more photos than tiles says how many more.
 */
export function ImageAttachment({
  image,
  more = 0,
  onOpen,
  buttonRef,
}: {
  image: ChatAttachment;
  /** Photos of the message not shown as tiles: this tile says "+N" over itself. */
  more?: number;
  onOpen: () => void;
  buttonRef?: (el: HTMLButtonElement | null) => void;
}) {
  const box = useRef<HTMLButtonElement | null>(null);
  const near = useInView(box);
  const thumbnail = useAttachmentUrl(image.id, 'thumbnail', near);
  const loaded = useDecodedImage(thumbnail.url);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    if (!note) return;
    const timer = setTimeout(() => setNote(null), NOTE_MS);
    return () => clearTimeout(timer);
  }, [note]);
  const refused = image.upload?.state === 'failed';

  const open = () => {
    if (thumbnail.state === 'offline') setNote('Not available offline');
    else if (thumbnail.state === 'gone') setNote('No longer available');
    else onOpen();
  };
  return (
    <div className={`image-attachment${loaded ? ' is-loaded' : ''}`} style={imageBoxStyle(image)} data-attachment-id={image.id}>
      <button
        type="button"
        ref={(el) => {
          box.current = el;
          buttonRef?.(el);
        }}
        className="image-open"
        aria-label={more > 0 ? `Photo ${image.name}, and ${more} more` : `Photo ${image.name}`}
        aria-haspopup="dialog"
        onClick={open}
      >
        {loaded && <span className="image-thumb" style={{ backgroundImage: `url("${thumbnail.url}")` }} />}
      </button>
      {more > 0 && (
        <span className="image-more" aria-hidden="true">
          +{more}
        </span>
      )}
      {image.upload && !refused && (
        <span className="image-overlay">
          <UploadProgress attachment={image} label />
        </span>
      )}
      {refused && (
        <span className="image-overlay is-failed" aria-hidden="true">
          <span className="image-failed-mark">!</span>
        </span>
      )}
      {note && (
        <span className="image-note" role="status">
          {note}
        </span>
      )}
    </div>
  );
}
