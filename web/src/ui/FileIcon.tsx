import type { FileKind } from './file-kind.js';

/** A file's type as a coloured tile with its short name ("PDF", "ZIP"); decorative (the card names the type in words). */
export function FileIcon({ kind }: { kind: FileKind }) {
  return (
    <span className="file-icon" data-family={kind.family} aria-hidden="true">
      <svg viewBox="0 0 32 40" className="file-icon-shape" aria-hidden="true" focusable="false">
        <path d="M4 0h17l11 11v25a4 4 0 0 1-4 4H4a4 4 0 0 1-4-4V4a4 4 0 0 1 4-4z" fill="currentColor" />
        <path d="M21 0v7a4 4 0 0 0 4 4h7z" fill="#ffffff" fillOpacity="0.45" />
      </svg>
      <span className="file-icon-badge">{kind.badge}</span>
    </span>
  );
}
