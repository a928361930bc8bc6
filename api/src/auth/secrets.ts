import { createHash, randomBytes } from 'node:crypto';

/** A new opaque bearer secret (256 bits), URL-safe. */
export const newOpaqueToken = () => randomBytes(32).toString('base64url');

/** What is stored instead of a bearer secret: its SHA-256, so a database leak reveals no token. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A pairing code of `length` Crockford base32 characters (5 bits each), easy to read aloud and type. */
export function newPairingCode(length: number): string {
  const bytes = randomBytes(length);
  let code = '';
  for (const b of bytes) code += CROCKFORD[b & 31];
  return code;
}

/** Normalizes a typed pairing code: drops spaces and dashes, upper-cases, maps I/L to 1 and O to 0. */
export function normalizePairingCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}
