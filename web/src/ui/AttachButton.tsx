import { useRef } from 'react';
import { PaperclipIcon } from './AttachmentIcons.js';

/**
 * The composer's paperclip: opens the system's file picker (several files at once; on phones
 * it offers the camera and the photo library too) and hands over what was chosen. The input
 * is cleared after each choice, so the same file can be chosen again.
 */
export function AttachButton({ onFiles, disabled = false }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="icon-button attach-button"
        aria-label="Attach photos or files"
        title="Attach photos or files"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <PaperclipIcon />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          event.target.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </>
  );
}
