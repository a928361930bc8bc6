import { memo, useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage } from '../app/model.js';
import { useClient } from './client-context.js';
import { EditedButton } from './EditedButton.js';
import { EditForm } from './EditForm.js';
import { FailureNotice } from './FailureNotice.js';
import { formatFull, formatTime } from './format.js';
import { MessageAttachments } from './MessageAttachments.js';
import { ReactionPicker } from './ReactionPicker.js';
import { Reactions } from './Reactions.js';
import { ReplyQuote } from './ReplyQuote.js';
import { Tick } from './Tick.js';
import { UploadStatus } from './UploadStatus.js';

/** What a row asks of the conversation screen; one stable object, so rows stay memoized. */
export type RowActions = {
  setEditing: (messageId: string | null) => void;
  setPicking: (messageId: string | null) => void;
  reply: (messageId: string) => void;
};

type MessageRowProps = {
  message: ChatMessage;
  /** The message this one replies to: undefined when not loaded on the device. */
  replyTarget: ChatMessage | undefined;
  viewerId: string;
  showAuthor: boolean;
  /** Set on the first message of a day: the day's label. */
  dayLabel: string | null;
  editing: boolean;
  picking: boolean;
  actions: RowActions;
};

/**
 * One message: author, photos and files, text (a caption, which may be empty), time, reactions,
 * reply quote, tick, an upload's progress, and its actions. Re-renders
 * only when a prop is a new object or value: a message's row object is new exactly when
 * something in it changed (the rule of sync/views.ts).
 */
export const MessageRow = memo(function MessageRow({
  message: m,
  replyTarget,
  viewerId,
  showAuthor,
  dayLabel,
  editing,
  picking,
  actions,
}: MessageRowProps) {
  const client = useClient();
  const editButton = useRef<HTMLButtonElement>(null);
  const reactButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(editing);
  /** Delete asks once ("Delete for everyone?") before it removes the message on every device. */
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const id = m.id;
  const myReaction = m.reactions.find((r) => r.userId === viewerId)?.emoji ?? null;
  const closePicker = useCallback(
    (restoreFocus: boolean) => {
      actions.setPicking(null);
      if (restoreFocus) reactButton.current?.focus();
    },
    [actions],
  );
  const pick = useCallback(
    (emoji: string | null) => {
      client.react(id, emoji);
      closePicker(true);
    },
    [client, id, closePicker],
  );
  const failed = m.tick === 'failed';
  const canChange = m.mine && !m.deleted && !failed;
  const attachments = m.deleted ? [] : (m.attachments ?? []);
  const hasMedia = attachments.length > 0;

  return (
    <li className={`message${m.mine ? ' is-mine' : ''}${failed ? ' is-failed' : ''}`} data-message-id={m.id}>
      {dayLabel && <div className="day-separator">{dayLabel}</div>}
      <div className="message-main">
        <div className={`bubble${hasMedia ? ' has-media' : ''}`}>
          {showAuthor && !m.mine && <p className="message-author">{m.author.displayName}</p>}
          {m.replyTo && !m.deleted && <ReplyQuote target={replyTarget} />}
          {hasMedia && <MessageAttachments attachments={attachments} />}
          {editing ? (
            <EditForm
              initial={m.text}
              onSave={(text) => {
                client.edit(id, text);
                actions.setEditing(null);
              }}
              onCancel={() => actions.setEditing(null)}
            />
          ) : (
            (m.deleted || m.text !== '' || !hasMedia) && (
              <p className={`message-text${m.deleted ? ' is-deleted' : ''}`}>{m.deleted ? 'This message was deleted' : m.text}</p>
            )
          )}
          <p className="message-meta">
            {m.editedAt !== null && !m.deleted && <EditedButton message={m} />}
            <time dateTime={new Date(m.createdAt).toISOString()} title={formatFull(m.createdAt)}>
              {formatTime(m.createdAt)}
            </time>
            {m.mine && m.tick && <Tick tick={m.tick} />}
          </p>
          <Reactions reactions={m.reactions} viewerId={viewerId} />
        </div>
        {!m.deleted && !failed && !editing && (
          <div className="message-actions">
            <button type="button" className="action" onClick={() => actions.reply(id)}>
              Reply
            </button>
            <span className="picker-anchor">
              <button
                type="button"
                className="action"
                ref={reactButton}
                aria-expanded={picking}
                onClick={() => actions.setPicking(picking ? null : id)}
              >
                React
              </button>
              {picking && <ReactionPicker current={myReaction} onPick={pick} onClose={closePicker} />}
            </span>
            {canChange && (
              <>
                <button type="button" className="action" ref={editButton} onClick={() => actions.setEditing(id)}>
                  Edit
                </button>
                {confirmingDelete ? (
                  <fieldset className="confirm-delete">
                    <legend className="confirm-delete-text">Delete for everyone?</legend>
                    <button type="button" className="action danger" onClick={() => client.remove(id)}>
                      Yes, delete
                    </button>
                    {/* biome-ignore lint/a11y/noAutofocus: focus moves to the question just asked, on its safe answer */}
                    <button type="button" className="action" autoFocus onClick={() => setConfirmingDelete(false)}>
                      Keep
                    </button>
                  </fieldset>
                ) : (
                  <button type="button" className="action danger" onClick={() => setConfirmingDelete(true)}>
                    Delete
                  </button>
                )}
              </>
            )}
          </div>
        )}
      </div>
      {failed ? <FailureNotice message={m} /> : m.mine && hasMedia && <UploadStatus message={m} />}
    </li>
  );
});
