import type { ChatMessage } from '../app/model.js';
import { attachmentSummary } from './attachment-summary.js';

/** Inside a reply: who and what it answers (or a note when that message is not on the device); a photo or file with no caption reads "Photo" or its name. */
export function ReplyQuote({ target }: { target: ChatMessage | undefined }) {
  if (!target) return <p className="reply-quote is-missing">Reply to an earlier message</p>;
  return (
    <p className="reply-quote">
      <span className="visually-hidden">In reply to </span>
      <span className="reply-author">{target.mine ? 'You' : target.author.displayName}</span>
      <span className="reply-text" dir="auto">
        {target.deleted ? 'This message was deleted' : target.text || attachmentSummary(target.attachments)}
      </span>
    </p>
  );
}
