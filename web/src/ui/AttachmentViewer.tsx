import { type KeyboardEvent, useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';
import type { ChatAttachment } from '../app/model.js';
import { ChevronIcon } from './AttachmentIcons.js';
import { saveUrl } from './save-file.js';
import { useAttachmentUrl } from './useAttachmentUrl.js';
import { ViewerStage } from './ViewerStage.js';

/**
 * A message's photos full screen, one at a time: a modal dialog (focus stays inside; Escape or
 * Close closes it, and the opener takes focus back through `onClose`), with the photo's name,
 * Save and Close above it, and Previous / Next (or the arrow keys, Home, End) between the
 * message's photos. Save downloads the full photo's bytes under its name (through a hidden
 * <a download>; it stays in place, inert, until they are there). Rendered at the end of <body>, outside the
 * message log.
 */
export function AttachmentViewer({
  images,
  index,
  onIndex,
  onClose,
}: {
  images: readonly ChatAttachment[];
  index: number;
  onIndex: (index: number) => void;
  onClose: (index: number) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const at = useRef(index);
  at.current = index;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    closeButton.current?.focus();
  }, []);
  const image = images[index] ?? images[0];
  const original = useAttachmentUrl(image?.id ?? '', 'original', image !== undefined);
  if (!image) return null;
  const last = images.length - 1;
  const go = (to: number) => {
    if (to >= 0 && to <= last && to !== index) onIndex(to);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const rtl = getComputedStyle(event.currentTarget).direction === 'rtl';
    const step = { ArrowLeft: rtl ? 1 : -1, ArrowRight: rtl ? -1 : 1 }[event.key];
    if (step !== undefined) go(index + step);
    else if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(last);
    else return;
    event.preventDefault();
  };
  const close = () => ref.current?.close();

  return createPortal(
    <dialog
      ref={ref}
      className="viewer"
      aria-labelledby={titleId}
      aria-modal="true"
      onClose={() => onClose(at.current)}
      onKeyDown={onKeyDown}
    >
      <div className="viewer-bar">
        <div className="viewer-heading">
          <h2 id={titleId} className="viewer-title" dir="auto" title={image.name}>
            {image.name}
          </h2>
          {images.length > 1 && (
            <p className="viewer-position">
              {index + 1} of {images.length}
            </p>
          )}
        </div>
        <button
          type="button"
          className="button small viewer-button"
          aria-disabled={!original.url}
          onClick={() => {
            if (original.url) saveUrl(original.url, image.name);
          }}
        >
          Save
        </button>
        <button type="button" ref={closeButton} className="button small viewer-button" onClick={close}>
          Close
        </button>
      </div>
      <ViewerStage key={image.id} image={image} original={original} onClose={close} />
      {images.length > 1 && (
        <>
          <button
            type="button"
            className="viewer-step is-previous"
            aria-label="Previous photo"
            aria-disabled={index === 0}
            onClick={() => go(index - 1)}
          >
            <ChevronIcon direction="previous" />
          </button>
          <button
            type="button"
            className="viewer-step is-next"
            aria-label="Next photo"
            aria-disabled={index === last}
            onClick={() => go(index + 1)}
          >
            <ChevronIcon direction="next" />
          </button>
        </>
      )}
    </dialog>,
    document.body,
  );
}
