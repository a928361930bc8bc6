import type { ChatAttachment } from '../app/model.js';

/** The family a file's icon is coloured by. */
export type FileFamily = 'pdf' | 'doc' | 'sheet' | 'slides' | 'archive' | 'image' | 'audio' | 'video' | 'text' | 'other';

export type FileKind = {
  family: FileFamily;
  /** What the card says it is: "PDF", "Word document", "ZIP archive", "MP3 audio", "File". */
  label: string;
  /** At most 4 letters on the icon: "PDF", "DOCX", "ZIP", "TXT". */
  badge: string;
};

/** By content type (sniffed from the bytes, so it wins over the name): family and label. */
const byType: Record<string, [FileFamily, string]> = {
  'application/pdf': ['pdf', 'PDF'],
  'application/msword': ['doc', 'Word document'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['doc', 'Word document'],
  'application/vnd.oasis.opendocument.text': ['doc', 'Document'],
  'application/rtf': ['doc', 'Rich text'],
  'application/vnd.ms-excel': ['sheet', 'Excel spreadsheet'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['sheet', 'Excel spreadsheet'],
  'application/vnd.oasis.opendocument.spreadsheet': ['sheet', 'Spreadsheet'],
  'text/csv': ['sheet', 'CSV'],
  'application/vnd.ms-powerpoint': ['slides', 'PowerPoint'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['slides', 'PowerPoint'],
  'application/vnd.oasis.opendocument.presentation': ['slides', 'Presentation'],
  'application/zip': ['archive', 'ZIP archive'],
  'application/x-7z-compressed': ['archive', '7z archive'],
  'application/vnd.rar': ['archive', 'RAR archive'],
  'application/x-rar-compressed': ['archive', 'RAR archive'],
  'application/gzip': ['archive', 'GZIP archive'],
  'application/x-tar': ['archive', 'TAR archive'],
  'application/x-bzip2': ['archive', 'BZIP2 archive'],
  'application/x-xz': ['archive', 'XZ archive'],
  'application/json': ['text', 'JSON'],
  'text/plain': ['text', 'Text'],
};

const familyOfMedia: Record<string, [FileFamily, string]> = {
  image: ['image', 'image'],
  audio: ['audio', 'audio'],
  video: ['video', 'video'],
  text: ['text', 'text'],
};

/** The extension of a file name, upper-case, when it looks like one ("report.final.PDF" -> "PDF"). */
export function extensionOf(name: string): string | null {
  const match = /\.([A-Za-z0-9]{1,5})$/.exec(name);
  return match ? (match[1] as string).toUpperCase() : null;
}

/** What kind of file an attachment is, for its card and icon. */
export function fileKind(file: Pick<ChatAttachment, 'name' | 'type'>): FileKind {
  const type = file.type.toLowerCase().split(';')[0]?.trim() ?? '';
  const ext = extensionOf(file.name);
  const known = byType[type];
  if (known) return { family: known[0], label: known[1], badge: badgeFor(ext, known[1]) };
  const [media, subtype = ''] = type.split('/');
  const family = familyOfMedia[media ?? ''];
  if (family) {
    // "MP4 video", "HEIC image", "MPEG audio": the subtype says which.
    const sub =
      subtype
        .replace(/^(x-|vnd\.)/, '')
        .split(/[+.]/)[0]
        ?.toUpperCase() ?? '';
    const name = sub && sub.length <= 5 ? sub : ext;
    const label = name ? `${name} ${family[1]}` : capitalize(family[1]);
    return { family: family[0], label, badge: badgeFor(ext ?? sub, label) };
  }
  return { family: 'other', label: ext ? `${ext} file` : 'File', badge: ext && ext.length <= 4 ? ext : 'FILE' };
}

function badgeFor(ext: string | null, label: string): string {
  if (ext && ext.length <= 4) return ext;
  return label.slice(0, 3).toUpperCase();
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
