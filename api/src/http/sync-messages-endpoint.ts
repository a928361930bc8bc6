import { isInlineImageType } from '@mailboat/schema';
import type { Plugin } from 'graphql-yoga';
import { attachmentsOfMessages, attachmentUrls } from '../attachments/attachment-reads.js';
import { authenticate } from '../auth/authenticate.js';
import type { AppDeps } from '../context.js';
import type { AttachmentRow } from '../db/tables.js';
import { AppError, badInput, httpStatusOf, unauthenticated } from '../errors.js';
import { encodeGlobalId } from '../global-ids.js';
import { messageVersions } from '../messages/message-versions.js';
import { decodeChangeCursor, listChanges, type MessageChange } from '../sync/changes/changes-service.js';
import type { Viewer } from '../viewer.js';
import { appErrorResponse, internalError } from './json-error.js';

export const SYNC_MESSAGES_PATH = '/sync/messages';
const LIMIT = { default: 100, max: 500 };
/** The dates `since` may name: Postgres refuses some far outside (year 0), and nothing was written before 1970. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * GET /sync/messages?since=<ISO-8601>&limit=&cursor= — missed messages for clients that
 * speak neither GraphQL nor Yjs: the caller's conversations' new, edited and deleted
 * messages, oldest change first, as JSON `{ messages, nextCursor, hasMore }`. The same feed
 * as GraphQL `changes`: `cursor=<nextCursor>` continues exactly, skipping nothing even under
 * concurrent writers; `since` (changed_at >= since) is only a starting point and approximate.
 * Errors use the GraphQL errors shape: 400 BAD_USER_INPUT, 401 UNAUTHENTICATED /
 * TOKEN_EXPIRED / DEVICE_REVOKED, 405 for other methods.
 */
export function syncMessagesEndpoint(deps: AppDeps): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== SYNC_MESSAGES_PATH) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      try {
        const viewer = await authenticate(deps, request.headers.get('authorization'));
        if (!viewer) throw unauthenticated('Send "Authorization: Bearer <access token>"');
        const page = await listChanges(deps, viewer, parseQuery(url.searchParams));
        const files = await attachmentsOfMessages(
          deps,
          page.changes.map((c) => c.message.id),
        );
        const messages = page.changes.map((c, i) => ({ ...toJson(c, viewer), attachments: (files[i] ?? []).map(attachmentJson) }));
        const body = { messages, nextCursor: page.endCursor, hasMore: page.hasMore };
        endResponse(
          new Response(request.method === 'HEAD' ? null : JSON.stringify(body), {
            status: 200,
            headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
          }),
        );
      } catch (e) {
        if (!(e instanceof AppError)) {
          endResponse(internalError(request, e));
          return;
        }
        const headers: Record<string, string> = { 'cache-control': 'no-store' };
        if (httpStatusOf(e.code) === 401) headers['www-authenticate'] = 'Bearer';
        endResponse(appErrorResponse(e, headers));
      }
    },
  };
}

/** Throws BAD_USER_INPUT (400) naming the bad parameter. */
function parseQuery(params: URLSearchParams) {
  const rawSince = params.get('since');
  const rawLimit = params.get('limit');
  const rawCursor = params.get('cursor');
  let since: Date | undefined;
  if (rawSince !== null) {
    // An unencoded "+01:00" offset arrives as " 01:00": take the space for the plus it was.
    const text = rawSince.replace(/ (\d{2}:?\d{2})$/, '+$1');
    since = ISO_DATE_TIME.test(text) ? new Date(text) : undefined;
    if (!since || Number.isNaN(since.getTime())) {
      throw badInput('since', '`since` must be an ISO 8601 date-time with a time zone, e.g. 2026-11-22T10:15:30.000Z');
    }
    if (since.getTime() < EARLIEST || since.getTime() > LATEST) throw badInput('since', '`since` must be between the years 1970 and 9999');
  }
  let limit = LIMIT.default;
  if (rawLimit !== null) {
    limit = /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : 0;
    if (limit < 1 || limit > LIMIT.max) throw badInput('limit', `\`limit\` must be an integer from 1 to ${LIMIT.max}`);
  }
  const after = rawCursor === null ? undefined : decodeChangeCursor(rawCursor, 'cursor');
  return { since, limit, after };
}

/** An attachment as JSON, the same fields as GraphQL's Attachment. */
function attachmentJson(a: AttachmentRow) {
  return {
    id: encodeGlobalId('Attachment', a.id),
    name: a.name,
    contentType: a.content_type,
    size: a.size,
    inline: isInlineImageType(a.content_type as string),
    width: a.width,
    height: a.height,
    ...attachmentUrls(a),
  };
}

/** One message as JSON; `versions` is its edit history, each version's device shown to the author only. */
function toJson({ message: m, kind, changedAt }: MessageChange, viewer: Viewer) {
  const own = m.author_id === viewer.userId;
  return {
    id: encodeGlobalId('Message', m.id),
    conversationId: encodeGlobalId('Conversation', m.conversation_id),
    authorId: encodeGlobalId('User', m.author_id),
    createdAt: new Date(Number(m.created_at)).toISOString(),
    text: m.text,
    replyTo: m.reply_to === null ? null : encodeGlobalId('Message', m.reply_to),
    editedAt: m.edited_at === null ? null : new Date(Number(m.edited_at)).toISOString(),
    deleted: m.deleted,
    reactions: Object.entries(m.reactions).map(([userId, emoji]) => ({ userId, emoji })),
    versions: messageVersions(m).map((v) => ({
      text: v.text,
      editedAt: v.editedAt === null ? null : new Date(v.editedAt).toISOString(),
      isCurrent: v.isCurrent,
      deviceId: own && v.deviceId !== null ? encodeGlobalId('Device', v.deviceId) : null,
    })),
    change: kind,
    changedAt: changedAt.toISOString(),
  };
}
