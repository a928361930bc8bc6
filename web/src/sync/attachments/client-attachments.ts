import { dashedUuid, ErrorCode, isInlineImageType, isUuid } from '@mailboat/schema';
import { type AttachmentLimits, type AttachmentVariant, ClientError } from '../../app/model.js';
import type { Account } from '../account.js';
import type { Api } from '../api.js';
import { DEFAULT_ATTACHMENT_CACHE_BYTES, readAttachmentCacheLimit, writeAttachmentCacheLimit } from '../local-db.js';
import type { LocalWriter } from '../local-writes.js';
import { evictCached, readCached, storeCached } from './cache.js';
import { cancelUpload } from './cancel.js';
import { type DownloadOptions, downloadAttachment } from './download.js';
import { DEFAULT_LIMITS, fetchLimits, publicLimits, type ServerLimits } from './limits.js';
import { ObjectUrls } from './object-urls.js';
import { sendFiles } from './send-files.js';

export type ClientAttachmentsOptions = {
  factory: IDBFactory;
  download: DownloadOptions;
  /** The open account, or null. */
  account: () => Account | null;
  /** The open account's writer; throws ClientError when there is none (as the client's other writes do). */
  writer: () => LocalWriter;
  /** A local write was made: push it. */
  afterWrite: () => void;
  /** The server-corrected clock. */
  serverNow: () => number;
  /** Something the screens show changed (the limits). */
  emit: () => void;
};

type Bytes = { blob: Blob; type: string };

/**
 * The MailboatClient's attachment methods (model.ts), over the open account: sending
 * (send-files.ts), cancelling (cancel.ts), the limits, and the bytes behind object URLs:
 * from the cache (cache.ts), else downloaded and cached within the device's cache limit.
 */
export class ClientAttachments {
  private cacheLimit = DEFAULT_ATTACHMENT_CACHE_BYTES;
  private cacheLimitSet = false;
  private readonly urls = new ObjectUrls();
  /** Reads and downloads under way, by account, id and variant: asked twice, fetched once. */
  private readonly loading = new Map<string, Promise<Bytes>>();
  private shownLimits: { from: ServerLimits; limits: AttachmentLimits } | null = null;

  constructor(private readonly options: ClientAttachmentsOptions) {
    readAttachmentCacheLimit(options.factory).then(
      (bytes) => {
        if (this.cacheLimitSet) return;
        this.cacheLimit = bytes;
        options.emit();
      },
      () => undefined,
    );
  }

  sendFiles(conversationId: string, files: readonly File[], caption: string, replyTo?: string): Promise<string> {
    try {
      const writer = this.options.writer();
      const account = this.options.account() as Account;
      const ctx = { account, writer, current: () => this.options.account() === account, now: this.options.serverNow };
      return sendFiles(ctx, conversationId, files, caption, replyTo);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  cancelUpload(messageId: string): void {
    this.options.writer();
    cancelUpload(this.options.account() as Account, messageId, this.options.afterWrite);
  }

  attachmentLimits(): AttachmentLimits {
    const from = this.options.account()?.attachments.limits ?? DEFAULT_LIMITS;
    if (this.shownLimits?.from !== from) this.shownLimits = { from, limits: publicLimits(from) };
    return this.shownLimits.limits;
  }

  /** Reads the server's limits (at a sync); keeps the last ones when that fails. Never rejects. */
  async refreshLimits(api: Api): Promise<void> {
    const account = this.options.account();
    const read = account && (await fetchLimits(api));
    if (!read || this.options.account() !== account) return;
    await account.attachments.setLimits(read).catch(() => undefined);
    this.options.emit();
  }

  async attachmentUrl(attachmentId: string, variant: AttachmentVariant): Promise<string> {
    const account = this.options.account();
    if (!account) throw new ClientError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
    const id = attachmentUuid(attachmentId);
    if (!id || (variant !== 'original' && variant !== 'thumbnail')) throw new ClientError(ErrorCode.NOT_FOUND, 'There is no such file');
    const key = `${account.viewerId}/${id}/${variant}`;
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.bytes(account, id, variant).finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    const { blob, type } = await loading;
    if (this.options.account() !== account) throw new ClientError(ErrorCode.UNAUTHENTICATED, 'Signed out meanwhile');
    return this.urls.create(blob, type);
  }

  releaseAttachmentUrl(url: string): void {
    this.urls.release(url);
  }

  /** The account that could see the URLs handed out is gone: they all stop working. */
  releaseAll(): void {
    this.urls.releaseAll();
  }

  attachmentCacheLimit(): number {
    return this.cacheLimit;
  }

  /** Keeps at most `bytes` of cached attachments on this device (evicting at once); throws BAD_USER_INPUT for a negative or fractional size. */
  setAttachmentCacheLimit(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new ClientError(ErrorCode.BAD_USER_INPUT, 'The cache limit is a whole number of bytes');
    this.cacheLimit = bytes;
    this.cacheLimitSet = true;
    this.options.emit();
    const log = (e: unknown) => console.error('Mailboat: could not apply the attachment cache limit', e);
    writeAttachmentCacheLimit(this.options.factory, bytes).catch(log);
    const account = this.options.account();
    if (account) evictCached(account.db, bytes).catch(log);
  }

  /** The bytes of a variant: cached; for a thumbnail, a cached original image (an own photo not sent yet); else downloaded and cached. */
  private async bytes(account: Account, id: string, variant: AttachmentVariant): Promise<Bytes> {
    const cached = await readCached(account.db, id, variant, Date.now());
    if (cached) return cached;
    if (variant === 'thumbnail') {
      const original = await readCached(account.db, id, 'original', Date.now());
      if (original && isInlineImageType(original.type)) return original;
    }
    const fetched = await downloadAttachment(this.options.download, id, variant);
    if (this.options.account() === account) {
      await storeCached(account.db, id, variant, fetched, Date.now(), this.cacheLimit).catch((e) =>
        console.warn('Mailboat: could not cache an attachment', e),
      );
    }
    return fetched;
  }
}

/** The dashed UUID of an attachment id: a ref's id as ChatAttachment carries it, or the API's global id (att_…); null for anything else. */
function attachmentUuid(id: string): string | null {
  if (isUuid(id)) return id;
  const hex = /^[a-z]{3}_([0-9a-f]{32})$/.exec(id)?.[1];
  return hex ? dashedUuid(hex) : null;
}
