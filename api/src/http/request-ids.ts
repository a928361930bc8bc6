import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const ids = new WeakMap<Request, string>();
/** An id a proxy in front may have given the request: kept when it looks like one, so logs line up. */
const GIVEN = /^[A-Za-z0-9._-]{8,128}$/;

/** The id of `request` (made on first use): in its answer's X-Request-Id header and in the log lines about it. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    const given = request.headers.get('x-request-id');
    id = given && GIVEN.test(given) ? given : randomUUID();
    ids.set(request, id);
  }
  return id;
}

/** Puts the request id on every answer as X-Request-Id, so a report of a failure can be matched with the server's log. */
export function requestIds(): Plugin {
  return {
    onRequest({ request }) {
      requestIdOf(request);
    },
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
