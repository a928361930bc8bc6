import webpush from 'web-push';

/** How long a signed VAPID JWT is valid (RFC 8292 allows at most 24 hours). */
const VALID_SECONDS = 12 * 3600;
/** A JWT is signed again this long before it expires, so none goes out about to lapse. */
const RENEW_BEFORE_SECONDS = 3600;

export type VapidKeys = { subject: string; publicKey: string; privateKey: string };

/**
 * The RFC 8292 Authorization header for each push service (the JWT's `aud` is the endpoint's
 * origin), signed once and reused until an hour before it expires: an ES256 signature costs
 * about three times the RFC 8291 encryption of a push, and every push to one vendor shares
 * its origin. One per sender; holds one entry per push-service origin it has sent to.
 */
export class VapidHeaders {
  private readonly signed = new Map<string, { authorization: string; renewAt: number }>();

  constructor(
    private readonly keys: VapidKeys,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Authorization header for a push to `endpoint`. */
  for(endpoint: string): string {
    const audience = new URL(endpoint).origin;
    const nowSeconds = Math.floor(this.now() / 1000);
    const cached = this.signed.get(audience);
    if (cached && nowSeconds < cached.renewAt) return cached.authorization;
    const expiresAt = nowSeconds + VALID_SECONDS;
    const { Authorization } = webpush.getVapidHeaders(
      audience,
      this.keys.subject,
      this.keys.publicKey,
      this.keys.privateKey,
      'aes128gcm',
      expiresAt,
    );
    this.signed.set(audience, { authorization: Authorization, renewAt: expiresAt - RENEW_BEFORE_SECONDS });
    return Authorization;
  }
}
