import { limits } from '@mailboat/schema';
import { type ClipboardEvent, type FormEvent, type KeyboardEvent, type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import type { ChatMessage } from '../app/model.js';
import { AttachButton } from './AttachButton.js';
import { AttachmentTray } from './AttachmentTray.js';
import { attachmentSummary } from './attachment-summary.js';
import { useClient } from './client-context.js';
import { keepDraft, readDraft } from './drafts.js';
import { errorText } from './errors.js';
import { FormError } from './FormError.js';
import { useSession } from './hooks.js';
import type { FileTray } from './useFileTray.js';

/**
 * Writes a message (Enter sends, Shift+Enter adds a line). The message is on screen before
 * send() returns; the network is not needed. Replying shows the quoted message above the box.
 * Unsent text stays as a draft of the conversation while the app runs (drafts.ts). Text the
 * rules refuse (schema/src/text.ts) stays in the box, and the composer says why. While there is
 * text in the box the others see that the viewer is typing; sending, clearing or leaving stops it.
 *
 * Photos and files (the paperclip, a paste, or a drop on the conversation) wait in the tray
 * above the box, whose text becomes their optional caption; Send sends them all in one message
 * (sendFiles). What the limits refuse is never added, and the composer says why.
 */
export function Composer({
  conversationId,
  replyTo,
  onReplyDone,
  inputRef,
  tray,
}: {
  conversationId: string;
  replyTo: ChatMessage | null;
  onReplyDone: () => void;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  tray: FileTray;
}) {
  const client = useClient();
  const userId = useSession()?.user.id ?? '';
  const [text, setTextState] = useState(() => readDraft(userId, conversationId));
  const textNow = useRef(text);
  /** Why the last send was refused (the text rules, or the files), until the text changes. */
  const [error, setError] = useState<string | null>(null);
  /** sendFiles is under way (it reads the files before it writes): a second send waits. */
  const [sending, setSending] = useState(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const setText = (next: string) => {
    setTextState(next);
    textNow.current = next;
    setError(null);
    keepDraft(userId, conversationId, next);
    client.reportTyping(conversationId, next.trim() !== '');
  };
  useEffect(() => () => client.reportTyping(conversationId, false), [client, conversationId]);
  const hasFiles = tray.files.length > 0;

  const sendFiles = async (caption: string) => {
    const chosen = tray.files;
    setSending(true);
    setError(null);
    try {
      await client.sendFiles(
        conversationId,
        chosen.map((f) => f.file),
        caption,
        replyTo?.id,
      );
    } catch (e) {
      if (mounted.current) setError(errorText(e));
      return;
    } finally {
      if (mounted.current) setSending(false);
    }
    tray.remove(chosen.map((f) => f.key));
    // Text typed while the files were read stays; the caption that went out is cleared.
    if (textNow.current.trim() === caption) {
      if (mounted.current) setText('');
      else keepDraft(userId, conversationId, '');
    }
    onReplyDone();
  };
  const send = () => {
    if (sending) return;
    const trimmed = text.trim();
    if (hasFiles) {
      void sendFiles(trimmed);
      return;
    }
    if (!trimmed) return;
    try {
      client.send(conversationId, trimmed, replyTo?.id);
    } catch (e) {
      setError(errorText(e));
      return;
    }
    setText('');
    onReplyDone();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send();
    inputRef.current?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape' && replyTo) {
      event.preventDefault();
      onReplyDone();
    }
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const data = event.clipboardData;
    const files = [...data.files];
    if (files.length === 0 || sending) return;
    // Rich text from an office app also carries a picture of itself: paste the text.
    if (data.types.includes('text/html') && data.getData('text/plain').trim() !== '') return;
    event.preventDefault();
    tray.add(files);
  };
  const focusInput = useCallback(() => inputRef.current?.focus(), [inputRef]);
  const removeOne = useCallback((key: string) => tray.remove([key]), [tray]);

  return (
    <form className="composer" onSubmit={submit} aria-busy={sending || undefined}>
      {replyTo && (
        <div className="composer-reply">
          <p className="reply-quote">
            <span className="reply-author">Replying to {replyTo.mine ? 'yourself' : replyTo.author.displayName}</span>
            <span className="reply-text">{replyTo.text || attachmentSummary(replyTo.attachments)}</span>
          </p>
          <button type="button" className="icon-button" aria-label="Remove quote" onClick={onReplyDone}>
            <span aria-hidden="true">✕</span>
          </button>
        </div>
      )}
      <FormError message={error ?? (tray.problems.length > 0 ? tray.problems.join(' ') : null)} />
      <AttachmentTray files={tray.files} onRemove={removeOne} onClear={tray.clear} onEmptied={focusInput} />
      <div className="composer-row">
        <AttachButton onFiles={tray.add} disabled={sending} />
        <label htmlFor="composer-input" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={inputRef}
          className="composer-input"
          rows={1}
          placeholder={hasFiles ? 'Add a caption' : 'Message'}
          maxLength={limits.messageText.max}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <button type="submit" className="button primary" disabled={sending}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
