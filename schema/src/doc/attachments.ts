import { codePointLength, isUuid, limits } from '../limits.js';
import { visibleTextProblem } from '../text.js';

/**
 * A photo or file of a message, as the conversation document holds it: the message's
 * `attachments` field, a plain array written once when the message is created (model.ts).
 * The bytes live on the server (the API's attachment store) under `id`; the server accepts a
 * message only when each ref names an upload its author completed into that conversation,
 * with the same size and type. `width`, `height` and `thumbhash` let every device lay the
 * image out at its final size, and paint a placeholder, before any byte arrives.
 */
export type AttachmentRef = {
  /** A lower-case UUID made by the sending client. */
  id: string;
  /** The file's name: one line of text, no path separators. */
  name: string;
  /** The content type sniffed from the bytes (sniff.ts), never taken from the name. */
  type: string;
  /** Bytes, as uploaded. */
  size: number;
  /** An image's pixel size after EXIF orientation; both or neither. */
  width?: number;
  height?: number;
  /** A ThumbHash of the image, base64. */
  thumbhash?: string;
};

const KEYS: ReadonlySet<string> = new Set(['id', 'name', 'type', 'size', 'width', 'height', 'thumbhash']);
/** type/subtype, lower case, RFC 6838 restricted-name characters, no parameters. */
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const isDimension = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= limits.attachments.dimensionMax;

/** Why `name` is refused as a file name, or undefined. */
export function fileNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'an attachment name must be text';
  if (codePointLength(name) > limits.attachments.nameMax)
    return `an attachment name may be at most ${limits.attachments.nameMax} characters`;
  if (/[/\\]/.test(name)) return 'an attachment name may not contain / or \\';
  return visibleTextProblem(name, 'an attachment name', { singleLine: true });
}

/** Why `value` is not a well-formed AttachmentRef, or undefined when it is one. */
export function attachmentRefProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an attachment is an object';
  const ref = value as Record<string, unknown>;
  const unknownKey = Object.keys(ref).find((k) => !KEYS.has(k));
  if (unknownKey !== undefined) return `an attachment has no field "${unknownKey.slice(0, 40)}"`;
  if (!isUuid(ref.id)) return "an attachment's id must be a UUID";
  const name = fileNameProblem(ref.name);
  if (name) return name;
  if (typeof ref.type !== 'string' || ref.type.length > limits.attachments.typeMax || !CONTENT_TYPE.test(ref.type)) {
    return "an attachment's type must be a lower-case content type";
  }
  if (!Number.isSafeInteger(ref.size) || (ref.size as number) < 1 || (ref.size as number) > limits.attachments.fileBytes.max) {
    return "an attachment's size must be a positive number of bytes within the limit";
  }
  if ((ref.width === undefined) !== (ref.height === undefined)) return 'an attachment has both width and height, or neither';
  if (ref.width !== undefined && !(isDimension(ref.width) && isDimension(ref.height))) {
    return `an attachment's width and height are whole pixels from 1 to ${limits.attachments.dimensionMax}`;
  }
  if (
    ref.thumbhash !== undefined &&
    !(typeof ref.thumbhash === 'string' && ref.thumbhash.length <= limits.attachments.thumbhashMax && BASE64.test(ref.thumbhash))
  ) {
    return `an attachment's thumbhash is base64 of at most ${limits.attachments.thumbhashMax} characters`;
  }
  return undefined;
}

/** Why `value` is not a message's list of attachments (1 to perMessage refs, ids distinct), or undefined. */
export function attachmentListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'attachments are a non-empty list';
  if (value.length > limits.attachments.perMessage) return `a message holds at most ${limits.attachments.perMessage} attachments`;
  for (const ref of value) {
    const problem = attachmentRefProblem(ref);
    if (problem) return problem;
  }
  if (new Set(value.map((ref) => (ref as AttachmentRef).id)).size !== value.length) return "a message's attachments have distinct ids";
  return undefined;
}

/** The refs of a message's `attachments` value; [] when it is absent or not well-formed. Never throws. */
export function readAttachmentRefs(value: unknown): AttachmentRef[] {
  if (value === undefined || attachmentListProblem(value)) return [];
  return (value as AttachmentRef[]).map(({ id, name, type, size, width, height, thumbhash }) => ({
    id,
    name,
    type,
    size,
    ...(width !== undefined ? { width, height } : {}),
    ...(thumbhash !== undefined ? { thumbhash } : {}),
  }));
}

/** The only types ever shown inline (raster images every browser decodes); every other file is downloaded. */
export const INLINE_IMAGE_TYPES: readonly string[] = Object.freeze(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);

export const isInlineImageType = (type: string) => INLINE_IMAGE_TYPES.includes(type);
