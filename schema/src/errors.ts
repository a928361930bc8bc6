/**
 * The stable `extensions.code` values of errors a client must handle. Every other error
 * reaches clients masked as INTERNAL_SERVER_ERROR. Adding a code is a contract change.
 */
export const ErrorCode = {
  /** An input failed validation; `extensions.field` names it. Nothing was changed. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** No or unusable credentials: sign in. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The access token has expired: refresh it and retry. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The device was revoked or signed out: its tokens and subscriptions no longer work. */
  DEVICE_REVOKED: 'DEVICE_REVOKED',
  /** Wrong handle or password. */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** Sign-up with a handle someone already has. */
  HANDLE_TAKEN: 'HANDLE_TAKEN',
  /** The refresh token is unknown, expired or revoked: sign in again. */
  REFRESH_TOKEN_INVALID: 'REFRESH_TOKEN_INVALID',
  /** A refresh token was presented twice; its whole session was revoked (RFC 9700 4.14.2). */
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  /** A cookie-authenticated request came from another site. */
  CROSS_SITE_REQUEST: 'CROSS_SITE_REQUEST',
  /** The pairing code is unknown or already used. */
  PAIRING_CODE_INVALID: 'PAIRING_CODE_INVALID',
  /** The pairing code has expired: create a new one. */
  PAIRING_CODE_EXPIRED: 'PAIRING_CODE_EXPIRED',
  /** The object does not exist or the viewer may not see it (the two are not distinguished). */
  NOT_FOUND: 'NOT_FOUND',
  /** The viewer can see the object but lacks the role for this change. */
  FORBIDDEN: 'FORBIDDEN',
  /** Too many requests; `extensions.retryAfterSeconds` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A GraphQL POST whose body is not JSON (a form, multipart, text): send application/json. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** Something failed that nobody planned for; `extensions.requestId` names it in the server's log. Nothing was changed. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** The request body is larger than the server accepts. */
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  /** The query nests deeper than allowed. */
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  /** The query uses more aliases than allowed. */
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  /** The query's estimated cost is over the limit. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** The query repeats directives more than allowed. */
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  /** The query text is not GraphQL (a syntax error, located in `locations`). */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The query asks for what the schema does not have, or with the wrong arguments or variables (see schema/schema.graphql). */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The request is not a GraphQL request this server takes (no query, a mutation over GET, a batch, bad JSON parameters). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** A pushed Yjs update breaks the write rules; nothing of it was stored. Roll the change back locally. */
  FORBIDDEN_UPDATE: 'FORBIDDEN_UPDATE',
  /** A pushed update is not a valid Yjs update. */
  MALFORMED_UPDATE: 'MALFORMED_UPDATE',
  /** A pushed update builds on changes the server lacks: push those first, or resync from `stateVector`. */
  MISSING_DEPENDENCIES: 'MISSING_DEPENDENCIES',
  /** The `events` stream ended because this server may have missed events: resubscribe, then catch up with segmentDiffs or changes. */
  EVENTS_INTERRUPTED: 'EVENTS_INTERRUPTED',
  /** The device or account already has as many open `events` streams as allowed: close one (or wait for a dead one to time out). */
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
  /** A pushed update is over the size limit: split the change. */
  UPDATE_TOO_LARGE: 'UPDATE_TOO_LARGE',
  /** A file (or a message's files together) is larger than the server accepts; see `attachmentLimits`. Nothing was stored. */
  ATTACHMENT_TOO_LARGE: 'ATTACHMENT_TOO_LARGE',
  /** The file's type, as its bytes show it (never its name), is not one the server accepts. Nothing was kept. */
  ATTACHMENT_TYPE_NOT_ALLOWED: 'ATTACHMENT_TYPE_NOT_ALLOWED',
  /** An upload was completed before all its parts arrived: upload the parts `startAttachmentUpload` lists, then complete again. */
  UPLOAD_INCOMPLETE: 'UPLOAD_INCOMPLETE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The codes graphql-yoga itself gives requests it cannot run (its own HTTP statuses go with them). */
export const requestErrorCodes: readonly ErrorCode[] = [
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_REQUEST,
];
