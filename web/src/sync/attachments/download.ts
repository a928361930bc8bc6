import { ErrorCode } from '@mailboat/schema';
import { type AttachmentVariant, ClientError } from '../../app/model.js';
import type { TokenKeeper } from '../auth.js';
import { isSignedOutError, knownErrorCode, networkError } from '../errors.js';

export type DownloadOptions = {
  /** The API's origin ('' for the page's own). */
  baseUrl: string;
  fetch: typeof fetch;
  tokens: TokenKeeper;
  /** Told when the answer means this device is signed out for good (as the Api tells it). */
  signedOut: (error: ClientError) => void;
};

/**
 * Fetches an attachment's bytes from the API: GET /attachments/<uuid> (or …/thumbnail) with
 * the access token, refreshed and tried once more on a 401 (TOKEN_EXPIRED), like every API
 * call. Resolves with the bytes and the type the server gave them. Rejects with ClientError:
 * NOT_FOUND (gone, or not the viewer's to see), NETWORK (no answer, a 5xx), or the server's
 * code.
 */
export async function downloadAttachment(
  options: DownloadOptions,
  id: string,
  variant: AttachmentVariant,
): Promise<{ blob: Blob; type: string }> {
  const url = `${options.baseUrl}/attachments/${id}${variant === 'thumbnail' ? '/thumbnail' : ''}`;
  try {
    let token = await options.tokens.fresh();
    let response = await get(options.fetch, url, token);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      token = await options.tokens.refresh(token);
      response = await get(options.fetch, url, token);
    }
    if (!response.ok) throw await failure(response);
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const blob = await response.blob().catch(() => {
      throw networkError('The download broke off');
    });
    return { blob, type };
  } catch (e) {
    if (isSignedOutError(e)) options.signedOut(e as ClientError);
    throw e;
  }
}

async function get(fetchFn: typeof fetch, url: string, token: string): Promise<Response> {
  try {
    return await fetchFn(url, { headers: { authorization: `Bearer ${token}` }, credentials: 'same-origin' });
  } catch {
    throw networkError();
  }
}

async function failure(response: Response): Promise<ClientError> {
  if (response.status >= 500) return networkError(`Mailboat answered ${response.status}`);
  const body = (await response.json().catch(() => null)) as { errors?: { message?: string; extensions?: { code?: unknown } }[] } | null;
  const error = body?.errors?.[0];
  if (response.status === 404) return new ClientError(ErrorCode.NOT_FOUND, error?.message ?? 'That file is not there (any more)');
  const code = error?.extensions?.code;
  if (code === undefined && response.status === 401) return new ClientError(ErrorCode.UNAUTHENTICATED, 'Sign in again');
  return new ClientError(knownErrorCode(code), error?.message ?? `Mailboat answered ${response.status}`);
}
