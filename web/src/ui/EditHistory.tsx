import { useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';
import type { ChatMessage } from '../app/model.js';
import { formatDay, formatFull, formatTimeWithSeconds } from './format.js';

/**
 * A message's edit history as a modal dialog: every version of its text, oldest first, each
 * with when it was written; the one shown is marked "Current". Opens with focus on Close;
 * Escape, Close or a click outside it closes it (`onClose`), and focus goes back where it was. Rendered at the
 * end of <body>, outside the message log, so its text is not announced as new messages.
 * For a message of the old shape edited before histories were kept, it says that earlier
 * versions were not kept.
 */
export function EditHistory({ message, onClose }: { message: ChatMessage; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const versions = message.versions;
  const first = versions[0];
  const lostEarlier = first !== undefined && first.id === '' && first.at !== message.createdAt;

  return createPortal(
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes it, as Escape does from the keyboard
    <dialog
      ref={ref}
      className="history"
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === ref.current) ref.current?.close(); // the backdrop (the content fills the dialog's box)
      }}
    >
      <div className="history-body">
        <div className="history-header">
          <h2 id={titleId}>Edit history</h2>
          <button type="button" className="button small" onClick={() => ref.current?.close()}>
            Close
          </button>
        </div>
        {lostEarlier && <p className="history-note">Earlier versions of this message were not kept.</p>}
        <ol className="history-list">
          {versions.map((v, i) => {
            const current = i === versions.length - 1;
            return (
              <li
                key={v.id || 'v1'}
                className={`history-version${current ? ' is-current' : ''}`}
                aria-current={current ? 'true' : undefined}
              >
                <p className="history-meta">
                  <span className="history-label">{i > 0 ? `Edit ${i}` : lostEarlier ? 'Earlier edit' : 'Original'}</span>
                  <time dateTime={new Date(v.at).toISOString()} title={formatFull(v.at)}>
                    {formatDay(v.at)}, {formatTimeWithSeconds(v.at)}
                  </time>
                  {current && <span className="history-current">Current</span>}
                </p>
                <p className="history-text">{v.text}</p>
              </li>
            );
          })}
        </ol>
      </div>
    </dialog>,
    document.body,
  );
}
