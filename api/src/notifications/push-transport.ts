import { type Agent as HttpAgent, request as httpRequest } from 'node:http';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import webpush from 'web-push';
import { endpointProblem, PrivateAddressError } from './endpoint-guard.js';
import type { VapidHeaders } from './vapid-headers.js';

/**
 * Sends one Web Push request. web-push builds it (the RFC 8292 VAPID JWT and the RFC 8291
 * aes128gcm encryption); the request itself goes out here, so this module decides where it may
 * go: through `lookup` (the SSRF guard, endpoint-guard.ts), with a timeout, and without
 * following redirects (a 3xx is an answer like any other).
 */

export type PushTarget = { endpoint: string; p256dh: string; auth: string };

/** How a push is sent: the sender's VAPID headers and the RFC 8030 headers. */
export type PushOptions = {
  vapid: VapidHeaders;
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** RFC 8030 §5.4: replaces an undelivered push with the same topic; at most 32 base64url characters. */
  topic: string;
};

export type PushTransport = {
  lookup: LookupFunction;
  allowLocal: boolean;
  timeoutMs: number;
  agents: { http: HttpAgent; https: HttpsAgent };
};

/** The push service's answer: its status and Retry-After in seconds (when it sent one). */
export type PushAnswer = { status: number; retryAfterSeconds: number | undefined };

/** Sends `payload` to `target`. Resolves with any HTTP answer; rejects on network errors, timeouts and PrivateAddressError. */
export async function sendPush(transport: PushTransport, target: PushTarget, payload: string, options: PushOptions): Promise<PushAnswer> {
  const problem = endpointProblem(target.endpoint, transport.allowLocal);
  if (problem) throw new PrivateAddressError(problem);
  const details = webpush.generateRequestDetails(
    { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
    payload,
    {
      headers: { Authorization: options.vapid.for(target.endpoint) },
      TTL: options.ttlSeconds,
      urgency: options.urgency,
      topic: options.topic,
      contentEncoding: 'aes128gcm',
    },
  );
  const url = new URL(details.endpoint);
  const secure = url.protocol === 'https:';
  const body = details.body ?? Buffer.alloc(0);
  const headers: Record<string, string | number> = {
    ...(details.headers as Record<string, string | number>),
    'Content-Length': body.length,
  };
  return new Promise<PushAnswer>((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers,
        lookup: transport.lookup,
        agent: secure ? transport.agents.https : transport.agents.http,
        timeout: transport.timeoutMs,
      },
      (res) => {
        res.resume(); // the body says nothing we use; read it so the connection can be reused
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfterSeconds: retryAfter(res.headers['retry-after']) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`push service did not answer in ${transport.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Retry-After as seconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
