import type { AppDeps } from '../context.js';

/** What the attachment services use of the app. */
export type AttachmentsDeps = Pick<AppDeps, 'db' | 'config' | 'attachments'>;
