import { useCallback, useMemo, useState } from 'react';
import { useClient } from './client-context.js';
import { keepFileDraft, readFileDraft } from './drafts.js';
import { chooseFiles, type TrayFile } from './file-choice.js';
import { useSession } from './hooks.js';

/** The files chosen to send in a conversation (the composer's tray), and why some were not taken. */
export type FileTray = {
  files: readonly TrayFile[];
  /** Why files offered last were not added (each names the file and the limit); empty when all were. */
  problems: readonly string[];
  /** Adds files (picked, pasted or dropped) within attachmentLimits(); says why about the others (and adds `notes` to that). */
  add: (files: readonly File[], notes?: readonly string[]) => void;
  /** Takes files out of the tray: those with these keys (e.g. the ones just sent). */
  remove: (keys: readonly string[]) => void;
  /** Empties the tray and forgets the problems. */
  clear: () => void;
};

/**
 * The tray of a conversation's composer. Owned by the conversation screen, so files dropped
 * anywhere on it land there too; kept per conversation while the app runs (like drafts).
 */
export function useFileTray(conversationId: string): FileTray {
  const client = useClient();
  const userId = useSession()?.user.id ?? '';
  const [files, setFiles] = useState(() => readFileDraft(userId, conversationId));
  const [problems, setProblems] = useState<readonly string[]>([]);
  const update = useCallback(
    (change: (files: readonly TrayFile[]) => readonly TrayFile[]) => {
      setFiles((current) => {
        const next = change(current);
        keepFileDraft(userId, conversationId, next);
        return next;
      });
    },
    [userId, conversationId],
  );
  const add = useCallback(
    (incoming: readonly File[], notes: readonly string[] = []) => {
      const { added, problems } = chooseFiles(files, incoming, client.attachmentLimits());
      if (added.length > 0) update((current) => [...current, ...added]);
      setProblems([...notes, ...problems]);
    },
    [client, files, update],
  );
  const remove = useCallback(
    (keys: readonly string[]) => {
      update((current) => current.filter((f) => !keys.includes(f.key)));
      setProblems([]);
    },
    [update],
  );
  const clear = useCallback(() => {
    update(() => []);
    setProblems([]);
  }, [update]);
  return useMemo(() => ({ files, problems, add, remove, clear }), [files, problems, add, remove, clear]);
}
