import type { ChatMessage } from '../app/model.js';
import { useClient } from './client-context.js';

/** Under a write the server refused: why, "Retry" when retrying can help (never on a message deleted since: delete wins), and "Dismiss". */
export function FailureNotice({ message }: { message: ChatMessage }) {
  const client = useClient();
  const failure = message.failure;
  return (
    <div className="failure">
      <p className="failure-text">Not sent{failure?.message ? `: ${failure.message}` : '.'}</p>
      <div className="failure-actions">
        {failure?.retryable === true && !message.deleted && (
          <button type="button" className="button small" onClick={() => client.retry(message.id)}>
            Retry
          </button>
        )}
        <button type="button" className="button small" onClick={() => client.dismiss(message.id)}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
