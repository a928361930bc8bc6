/** What the server needs to know about where a request came from. */
export type RequestFacts = { clientIp: string; secure: boolean; origin: string };

/**
 * Client address, HTTPS-ness and the origin the client used. X-Forwarded-* headers are
 * believed only when `trustProxy` is set (behind a reverse proxy you run).
 */
export function requestFacts(request: Request, serverContext: unknown, trustProxy: boolean): RequestFacts {
  const url = new URL(request.url);
  const socketIp = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req?.socket?.remoteAddress;
  // The last X-Forwarded-For entry is the one our own proxy wrote; earlier ones come from the client.
  const forwardedFor = trustProxy ? request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
  const forwardedProto = trustProxy ? request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() : undefined;
  const forwardedHost = trustProxy ? request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  const protocol = forwardedProto ? `${forwardedProto}:` : url.protocol;
  const host = forwardedHost ?? request.headers.get('host') ?? url.host;
  return { clientIp: forwardedFor || socketIp || 'unknown', secure: protocol === 'https:', origin: `${protocol}//${host}` };
}
