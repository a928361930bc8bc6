import type { AttachmentLimits } from '../app/model.js';
import { formatBytes } from './file-size.js';

/** A file chosen to send, with a key that stays while it is in the tray. */
export type TrayFile = { key: string; file: File };

let nextKey = 0;

/**
 * Which of `incoming` may join the files already chosen, under the server's limits, and why
 * each other one may not, naming the file and the limit ("holiday.mov is 200 MB; the limit is
 * 100 MB."). A file already in the tray (same name, size and time) is skipped without a word.
 */
export function chooseFiles(
  current: readonly TrayFile[],
  incoming: readonly File[],
  limits: AttachmentLimits,
): { added: TrayFile[]; problems: string[] } {
  const added: TrayFile[] = [];
  const problems: string[] = [];
  const tooMany: string[] = [];
  let count = current.length;
  let total = current.reduce((sum, f) => sum + f.file.size, 0);
  const same = (a: File, b: File) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  for (const file of incoming) {
    if ([...current, ...added].some((f) => same(f.file, file))) continue;
    const name = file.name || 'This file';
    if (file.size === 0) {
      problems.push(`${name} is empty (or a folder) and cannot be sent.`);
    } else if (file.size > limits.maxFileBytes) {
      problems.push(`${name} is ${formatBytes(file.size)}; the limit is ${formatBytes(limits.maxFileBytes)}.`);
    } else if (count >= limits.maxPerMessage) {
      tooMany.push(name);
    } else if (total + file.size > limits.maxMessageBytes) {
      problems.push(
        `${name} was not added: with it the files would be ${formatBytes(total + file.size)}; one message can hold ${formatBytes(limits.maxMessageBytes)}.`,
      );
    } else {
      added.push({ key: `f${++nextKey}`, file });
      count += 1;
      total += file.size;
    }
  }
  if (tooMany.length > 0) {
    const who = tooMany.length === 1 ? `${tooMany[0]} was` : `${tooMany[0]} and ${tooMany.length - 1} more were`;
    problems.push(`${who} not added: one message can hold at most ${limits.maxPerMessage} files.`);
  }
  return { added, problems };
}
