import { useTyping } from './hooks.js';
import { typingText } from './presence-text.js';

/**
 * "Bo is typing…" under the message log, while others type in the conversation. The live
 * region is always there (empty when nobody types), so screen readers announce the change.
 */
export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const text = typingText(useTyping(conversationId));
  return (
    <p className="typing-indicator" aria-live="polite">
      {text && <span>{text}</span>}
    </p>
  );
}
