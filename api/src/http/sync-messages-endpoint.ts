import type { Plugin } from 'graphql-yoga';
import type { AppDeps } from '../context.js';

/** GET /sync/messages?since=<ISO-8601> — filled in by its own feature. */
export function syncMessagesEndpoint(_deps: AppDeps): Plugin {
  return {};
}
