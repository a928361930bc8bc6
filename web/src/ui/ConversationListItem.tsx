import { memo } from 'react';
import type { ChatAttachment, ConversationSummary } from '../app/model.js';
import { attachmentSummary } from './attachment-summary.js';
import { formatFull, formatListTime } from './format.js';
import { useTyping } from './hooks.js';
import { Link } from './Link.js';
import { MutedIcon } from './MutedIcon.js';
import { typingText } from './presence-text.js';
import { paths } from './router.js';

/**
 * One conversation in the list: title first (its accessible name starts with it), then the
 * last message (or who is typing), time, a muted mark and the unread count.
 */
export const ConversationListItem = memo(function ConversationListItem({
  conversation: c,
  selected,
}: {
  conversation: ConversationSummary;
  selected: boolean;
}) {
  const last = c.lastMessage;
  const preview = last
    ? last.deleted
      ? 'Message deleted'
      : withFiles(last.text, last.attachments ?? []) // a preview saved by an older app has none
    : c.kind === 'GROUP'
      ? `${c.memberCount} members`
      : 'No messages yet';
  const author = last && c.kind === 'GROUP' ? `${last.authorName}: ` : '';
  const typing = typingText(useTyping(c.id));
  const at = last?.createdAt ?? c.updatedAt;
  return (
    <li>
      <Link
        to={paths.conversation(c.id)}
        className={`conversation-item${c.unreadCount > 0 ? ' has-unread' : ''}`}
        aria-current={selected ? 'page' : undefined}
      >
        <span className="conversation-avatar" aria-hidden="true">
          {initials(c.title)}
        </span>
        <span className="conversation-main">
          <span className="conversation-title">{c.title}</span>
          {typing ? (
            <span className="conversation-preview is-typing">{typing}</span>
          ) : (
            <span className={`conversation-preview${last?.deleted ? ' is-deleted' : ''}`}>
              {author}
              {preview}
            </span>
          )}
        </span>
        <span className="conversation-meta">
          <time dateTime={new Date(at).toISOString()} title={formatFull(at)}>
            {formatListTime(at)}
          </time>
          <span className="conversation-marks">
            {c.muted && <MutedIcon />}
            {c.unreadCount > 0 && (
              <span className="unread" role="img" aria-label={`${c.unreadCount} unread`}>
                {c.unreadCount > 99 ? '99+' : c.unreadCount}
              </span>
            )}
          </span>
        </span>
      </Link>
    </li>
  );
});

function initials(title: string): string {
  const words = title.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[1]] : [words[0] ?? '?'];
  return letters.map((w) => [...(w ?? '')][0]?.toUpperCase() ?? '').join('') || '?';
}

/** The last message's line: its text, with a sign for its photos or files ("📷 Photo", "📎 report.pdf", "📷 Caption"). */
function withFiles(text: string, attachments: readonly Pick<ChatAttachment, 'name' | 'inline'>[]): string {
  if (attachments.length === 0) return text;
  const sign = attachments.every((a) => a.inline) ? '📷' : '📎';
  return `${sign} ${text || attachmentSummary(attachments)}`;
}
