import { networkError } from '../errors.js';

/**
 * Sends one part's bytes: a PUT of `body` to `url` with exactly `headers` (an S3 presigned
 * URL is signed over them; no Authorization is ever added). Resolves on a 2xx answer;
 * rejects with PartRefusedError for a 4xx (the URL expired, say: ask for fresh ones), and
 * with ClientError NETWORK for no answer or a 5xx. `progress` is told the bytes sent so far
 * when the transport can tell (XMLHttpRequest), else not at all.
 */
export type PutPart = (url: string, body: Blob, headers: Record<string, string>, progress?: (sent: number) => void) => Promise<void>;

export class PartRefusedError extends Error {
  constructor(readonly status: number) {
    super(`The upload of a part was refused (HTTP ${status})`);
    this.name = 'PartRefusedError';
  }
}

/** A PutPart over `fetch` (the service worker, tests): no progress within a part. */
export function fetchPut(fetchFn: typeof fetch): PutPart {
  return async (url, body, headers) => {
    let response: Response;
    try {
      response = await fetchFn(url, { method: 'PUT', body, headers });
    } catch {
      throw networkError();
    }
    await response.body?.cancel().catch(() => undefined);
    answered(response.status);
  };
}

/** A PutPart over XMLHttpRequest (pages), which reports upload progress. */
export function xhrPut(): PutPart {
  return (url, body, headers, progress) =>
    new Promise<void>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      if (progress) xhr.upload.onprogress = (e) => progress(e.loaded);
      xhr.onload = () => {
        try {
          answered(xhr.status);
          resolve();
        } catch (e) {
          reject(e);
        }
      };
      xhr.onerror = xhr.onabort = xhr.ontimeout = () => reject(networkError());
      xhr.send(body);
    });
}

function answered(status: number): void {
  if (status >= 200 && status < 300) return;
  if (status >= 400 && status < 500) throw new PartRefusedError(status);
  throw networkError(`Mailboat answered ${status}`);
}

/** A part's URL as given when absolute (S3), else resolved against the API's origin (`baseUrl`, '' for the page's own). */
export function partUrl(baseUrl: string, url: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `${baseUrl}${url}`;
}
