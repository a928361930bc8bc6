import { limits } from '@mailboat/schema';
import { type FormEvent, type KeyboardEvent, type RefObject, useEffect, useState } from 'react';
import type { ChatMessage } from '../app/model.js';
import { useClient } from './client-context.js';
import { keepDraft, readDraft } from './drafts.js';
import { errorText } from './errors.js';
import { FormError } from './FormError.js';
import { useSession } from './hooks.js';

/**
 * Writes a message (Enter sends, Shift+Enter adds a line). The message is on screen before
 * send() returns; the network is not needed. Replying shows the quoted message above the box.
 * Unsent text stays as a draft of the conversation while the app runs (drafts.ts). Text the
 * rules refuse (schema/src/text.ts) stays in the box, and the composer says why. While there is
 * text in the box the others see that the viewer is typing; sending, clearing or leaving stops it.
 */
export function Composer({
  conversationId,
  replyTo,
  onReplyDone,
  inputRef,
}: {
  conversationId: string;
  replyTo: ChatMessage | null;
  onReplyDone: () => void;
  inputRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const client = useClient();
  const userId = useSession()?.user.id ?? '';
  const [text, setTextState] = useState(() => readDraft(userId, conversationId));
  /** Why the last send was refused (the text rules), until the text changes. */
  const [error, setError] = useState<string | null>(null);
  const setText = (next: string) => {
    setTextState(next);
    setError(null);
    keepDraft(userId, conversationId, next);
    client.reportTyping(conversationId, next.trim() !== '');
  };
  useEffect(() => () => client.reportTyping(conversationId, false), [client, conversationId]);
  const send = () => {
    const trimmed = text.trim();
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
  return (
    <form className="composer" onSubmit={submit}>
      {replyTo && (
        <div className="composer-reply">
          <p className="reply-quote">
            <span className="reply-author">Replying to {replyTo.mine ? 'yourself' : replyTo.author.displayName}</span>
            <span className="reply-text">{replyTo.text}</span>
          </p>
          <button type="button" className="icon-button" aria-label="Remove quote" onClick={onReplyDone}>
            <span aria-hidden="true">✕</span>
          </button>
        </div>
      )}
      <FormError message={error} />
      <div className="composer-row">
        <label htmlFor="composer-input" className="visually-hidden">
          Message
        </label>
        <textarea
          id="composer-input"
          ref={inputRef}
          className="composer-input"
          rows={1}
          placeholder="Message"
          maxLength={limits.messageText.max}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="button primary">
          Send
        </button>
      </div>
    </form>
  );
}
