import { type KeyboardEvent, useEffect, useRef } from 'react';
import type { TrayFile } from './file-choice.js';
import { TrayItem } from './TrayItem.js';

/**
 * The files chosen to send, above the composer's text box (which becomes their caption):
 * photos as thumbnails, other files as chips, each with its own remove button. Escape inside
 * the tray removes them all. After a removal, focus moves to the next file's remove button,
 * or to the text box (`onEmptied`) once none is left.
 */
export function AttachmentTray({
  files,
  onRemove,
  onClear,
  onEmptied,
}: {
  files: readonly TrayFile[];
  onRemove: (key: string) => void;
  onClear: () => void;
  onEmptied: () => void;
}) {
  const list = useRef<HTMLUListElement>(null);
  /** The position whose remove button takes focus after the next change (a removal by keyboard or click). */
  const focusAt = useRef<number | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after the files changed (a removal), reading the rest from refs
  useEffect(() => {
    const at = focusAt.current;
    if (at === null) return;
    focusAt.current = null;
    const buttons = list.current?.querySelectorAll<HTMLButtonElement>('.tray-remove') ?? [];
    const next = buttons[Math.min(at, buttons.length - 1)];
    if (next) next.focus();
    else onEmptied();
  }, [files, onEmptied]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    focusAt.current = 0;
    onClear();
  };

  if (files.length === 0) return null;
  const label = files.length === 1 ? '1 file to send' : `${files.length} files to send`;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape anywhere in the tray (on a remove button) empties it
    <div className="tray" onKeyDown={onKeyDown}>
      <ul ref={list} className="tray-list" aria-label={label}>
        {files.map((f, i) => (
          <TrayItem
            key={f.key}
            file={f.file}
            onRemove={() => {
              focusAt.current = i;
              onRemove(f.key);
            }}
          />
        ))}
      </ul>
    </div>
  );
}
