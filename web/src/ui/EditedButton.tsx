import { useCallback, useRef, useState } from 'react';
import type { ChatMessage } from '../app/model.js';
import { EditHistory } from './EditHistory.js';

/**
 * The "edited" mark of an edited message: a button (click, Enter or Space) that opens its
 * edit history (EditHistory); focus comes back to it when the history closes.
 */
export function EditedButton({ message }: { message: ChatMessage }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => {
    setOpen(false);
    ref.current?.focus();
  }, []);
  return (
    <>
      <button type="button" ref={ref} className="edited" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        edited<span className="visually-hidden">, show the edit history</span>
      </button>
      {open && <EditHistory message={message} onClose={close} />}
    </>
  );
}
