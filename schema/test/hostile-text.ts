import { limits } from '../src/limits.js';

/**
 * Message texts every way in must judge alike (schema/src/text.ts): the Yjs write rules, the
 * plain GraphQL API, and the app before it writes. Shared by the schema, api and web tests.
 * Each refused text holds its offending character between ordinary letters, so trimming
 * cannot hide it.
 */

/** Why a text is refused: which rule of text.ts it breaks. */
export type RefusalKind = 'control' | 'bidi' | 'surrogate' | 'blank' | 'length';

export type HostileText = {
  name: string;
  text: string;
  kind: RefusalKind;
  /**
   * False when a Yjs update cannot carry the text as it is: updates encode strings as UTF-8,
   * which writes U+FFFD in place of a lone surrogate, so the server never sees one (the writer's
   * own document does: an app must judge text before it writes).
   */
  travelsInYjs: boolean;
};

const hostile = (name: string, text: string, kind: RefusalKind, travelsInYjs = true): HostileText => ({ name, text, kind, travelsInYjs });

export const refusedTexts: readonly HostileText[] = [
  hostile('NUL', 'a\u0000b', 'control'),
  hostile('BEL', 'ding\u0007dong', 'control'),
  hostile('ESC (a terminal colour sequence)', 'see \u001b[31mred\u001b[0m here', 'control'),
  hostile('DEL', 'a\u007fb', 'control'),
  hostile('C1 next line U+0085', 'a\u0085b', 'control'),
  hostile('right-to-left override U+202E', 'invoice\u202Efdp.exe', 'bidi'),
  hostile('left-to-right isolate U+2066', 'a\u2066b\u2069c', 'bidi'),
  hostile('lone high surrogate', 'a\ud83db', 'surrogate', false),
  hostile('lone low surrogate', 'a\ude00b', 'surrogate', false),
  hostile('zero-width characters only', '\u200b\u200c\u2060\ufeff', 'blank'),
  hostile('white space only', ' \t\n\u00a0\u3000 ', 'blank'),
  hostile('empty', '', 'blank'),
  hostile(`${limits.messageText.max + 1} characters`, 'x'.repeat(limits.messageText.max + 1), 'length'),
];

/** Texts that must pass everywhere, exactly as written (none needs trimming). */
export const acceptedTexts: readonly { name: string; text: string }[] = [
  { name: 'emoji, with skin tone, flag and family sequences', text: 'hi 👋🏽 🇫🇷 👨‍👩‍👧' },
  { name: 'right-to-left text with a right-to-left mark U+200F', text: 'שלום\u200F עולם (ok)' },
  { name: 'tabs and newlines inside', text: 'line one\n\tline two\r\nline three' },
  { name: 'combining marks and CJK', text: 'e\u0301te\u0301, 東京' },
  { name: `exactly ${limits.messageText.max} characters`, text: 'y'.repeat(limits.messageText.max) },
];
