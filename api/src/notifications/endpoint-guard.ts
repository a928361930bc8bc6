import { createECDH } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { badInput } from '../errors.js';

/**
 * What keeps push endpoints from reaching the server's own network (SSRF): a subscription is
 * checked when it is registered (checkSubscription), and every address a push endpoint's host
 * name resolves to is checked again when sending (guardedLookup), so a name that later
 * resolves to a private address (DNS rebinding) is refused too. `allowLocal`
 * (PUSH_ALLOW_LOCAL_ENDPOINTS, tests only) lifts both.
 */

export const MAX_ENDPOINT_LENGTH = 1024;

export type SubscriptionInput = { endpoint: string; p256dh: string; auth: string };

/** True for an address on the public internet: ipaddr.js's `unicast` range (no private, loopback, link-local, ULA, multicast, reserved…). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The URL's host as an IP literal (brackets of IPv6 removed), or undefined for a host name. */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return ipaddr.isValid(host) ? host : undefined;
}

/** Why a push endpoint URL may not be used, or undefined when it may (the part checkable without DNS). */
export function endpointProblem(endpoint: string, allowLocal: boolean): string | undefined {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) return `The endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`;
  // Push services hand out plain ASCII URLs; anything else (NUL, controls, spaces, bidi marks,
  // other scripts) is not one, and URL parsers would silently drop or rewrite some of it.
  if (/[^\x21-\x7e]/.test(endpoint)) return 'The endpoint may hold only printable ASCII characters (no spaces or control characters)';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'The endpoint is not a URL';
  }
  if (url.protocol !== 'https:' && !(allowLocal && url.protocol === 'http:')) return 'The endpoint must be an https:// URL';
  if (url.username || url.password) return 'The endpoint may not carry a user name or password';
  const literal = literalAddress(url);
  if (literal !== undefined && !allowLocal && !isPublicAddress(literal))
    return 'The endpoint may not be a private, local or reserved address';
  return undefined;
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Checks a subscription's three fields as a browser's PushSubscription.toJSON() gives them:
 * the endpoint (endpointProblem), p256dh a 65-byte uncompressed point on P-256, auth 16 bytes,
 * both base64url. Throws BAD_USER_INPUT naming the field and saying why.
 */
export function checkSubscription(input: SubscriptionInput, allowLocal: boolean): SubscriptionInput {
  const problem = endpointProblem(input.endpoint, allowLocal);
  if (problem) throw badInput('endpoint', problem);
  const p256dh = BASE64URL.test(input.p256dh) ? Buffer.from(input.p256dh, 'base64url') : undefined;
  if (p256dh?.length !== 65 || p256dh[0] !== 4 || !onCurve(p256dh)) {
    throw badInput('p256dh', 'p256dh must be a base64url uncompressed P-256 public key (65 bytes)');
  }
  const auth = BASE64URL.test(input.auth) ? Buffer.from(input.auth, 'base64url') : undefined;
  if (auth?.length !== 16) throw badInput('auth', 'auth must be a base64url 16-byte secret');
  return { endpoint: input.endpoint, p256dh: p256dh.toString('base64url'), auth: auth.toString('base64url') };
}

function onCurve(point: Buffer): boolean {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  try {
    ecdh.computeSecret(point);
    return true;
  } catch {
    return false;
  }
}

/** Resolves a host name to its addresses (dns.lookup with all: true, by default). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** The error a refused address gives: the push is not sent, and the endpoint is not tried again. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
}

/**
 * A `lookup` for http(s).request that resolves with `resolve` and refuses (PrivateAddressError)
 * when any address the name has is not public, unless `allowLocal`.
 */
export function guardedLookup(allowLocal: boolean, resolve: ResolveHost = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const addresses = family ? found.filter((a) => a.family === family) : found;
        const refused = allowLocal ? undefined : addresses.find((a) => !isPublicAddress(a.address));
        if (refused) return callback(new PrivateAddressError(`${hostname} resolves to ${refused.address}, not a public address`), '', 4);
        const first = addresses[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
}
