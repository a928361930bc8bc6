import { isInlineImageType } from '@mailboat/schema';

/**
 * The object URLs handed to the screens. A blob: URL shares the app's origin, so only an
 * inline image type (schema's isInlineImageType) keeps its type; anything else — HTML, SVG,
 * PDF, text, whatever the server said — is application/octet-stream, which no browser
 * renders (it can only be saved, with `<a download>`).
 */
export class ObjectUrls {
  private readonly urls = new Set<string>();

  /** A new object URL of `blob` as `type` allows (see above); valid until released. */
  create(blob: Blob, type: string): string {
    const safe = isInlineImageType(type) ? type : 'application/octet-stream';
    const url = URL.createObjectURL(blob.type === safe ? blob : blob.slice(0, blob.size, safe));
    this.urls.add(url);
    return url;
  }

  release(url: string): void {
    if (!this.urls.delete(url)) return;
    URL.revokeObjectURL(url);
  }

  /** Revokes every URL still out (the account that could see them is gone). */
  releaseAll(): void {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}
