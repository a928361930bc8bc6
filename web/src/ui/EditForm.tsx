import { limits, normalizeMessageText } from '@mailboat/schema';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { errorText } from './errors.js';
import { FormError } from './FormError.js';

/**
 * Edits a message's text in place: Enter or "Save" saves, Shift+Enter adds a line, Escape or
 * "Cancel" leaves it unchanged. When `onSave` throws (the text rules refuse the text), the
 * form stays open and says why.
 */
export function EditForm({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => {
    const body = normalizeMessageText(text);
    if (body === normalizeMessageText(initial)) {
      onCancel();
      return;
    }
    try {
      onSave(body);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  };
  return (
    <form className="edit-form" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        Edit message
      </label>
      <textarea
        id={id}
        ref={ref}
        className="edit-input"
        rows={2}
        maxLength={limits.messageText.max}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
      />
      <FormError message={error} />
      <div className="edit-actions">
        <button type="submit" className="button primary small">
          Save
        </button>
        <button type="button" className="button small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
