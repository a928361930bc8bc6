import { useCallback, useRef, useState } from 'react';
import type { ChatAttachment } from '../app/model.js';
import { AttachmentViewer } from './AttachmentViewer.js';
import { FileAttachment } from './FileAttachment.js';
import { ImageAttachment } from './ImageAttachment.js';

/** Photos shown as tiles in a bubble; past that, the last tile says how many more (the viewer shows them all). */
const MAX_TILES = 4;

/**
 * A message's photos and files, in a bubble: one photo at its own shape, several in a grid of
 * two columns (an odd first one across both), then a card per other file. A photo opens the
 * viewer on the message's photos; when it closes, focus goes back to the tile of the photo
 * last shown (or the last tile).
 */
export function MessageAttachments({ attachments }: { attachments: readonly ChatAttachment[] }) {
  const [viewing, setViewing] = useState<number | null>(null);
  const tiles = useRef(new Map<number, HTMLButtonElement>());
  const images = attachments.filter((a) => a.inline);
  const files = attachments.filter((a) => !a.inline);
  const shown = images.slice(0, MAX_TILES);
  const more = images.length - shown.length;
  const close = useCallback((index: number) => {
    setViewing(null);
    tiles.current.get(Math.min(index, MAX_TILES - 1))?.focus();
  }, []);
  if (attachments.length === 0) return null;
  const layout = shown.length === 1 ? 'is-single' : shown.length % 2 === 1 ? 'is-grid is-odd' : 'is-grid';

  return (
    <div className="attachments">
      {shown.length > 0 && (
        <div className={`images ${layout}`}>
          {shown.map((image, i) => (
            <ImageAttachment
              key={image.id}
              image={image}
              more={i === shown.length - 1 ? more : 0}
              onOpen={() => setViewing(i)}
              buttonRef={(el) => {
                if (el) tiles.current.set(i, el);
                else tiles.current.delete(i);
              }}
            />
          ))}
        </div>
      )}
      {files.map((file) => (
        <FileAttachment key={file.id} file={file} />
      ))}
      {viewing !== null && <AttachmentViewer images={images} index={viewing} onIndex={setViewing} onClose={close} />}
    </div>
  );
}
