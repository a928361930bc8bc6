import { type DragEvent, useEffect, useRef, useState } from 'react';

const carriesFiles = (event: { dataTransfer: DataTransfer | null }) => event.dataTransfer?.types.includes('Files') ?? false;

/**
 * Files dragged onto an element (a conversation): `dragging` while they are over it, and the
 * files (folders left out, named in `notes`) handed to `onFiles` on drop. While it is mounted, a
 * file dropped beside it does nothing (the browser would otherwise leave the app to open it).
 */
export function useFileDrop(onFiles: (files: File[], notes: string[]) => void, enabled = true) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  useEffect(() => {
    const ignore = (event: globalThis.DragEvent) => {
      if (carriesFiles(event)) event.preventDefault();
    };
    const reset = () => {
      depth.current = 0;
      setDragging(false);
    };
    window.addEventListener('dragover', ignore);
    window.addEventListener('drop', ignore);
    window.addEventListener('drop', reset);
    window.addEventListener('dragend', reset);
    return () => {
      window.removeEventListener('dragover', ignore);
      window.removeEventListener('drop', ignore);
      window.removeEventListener('drop', reset);
      window.removeEventListener('dragend', reset);
    };
  }, []);

  const handlers = {
    onDragEnter: (event: DragEvent) => {
      if (!enabled || !carriesFiles(event)) return;
      event.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver: (event: DragEvent) => {
      if (!enabled || !carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (event: DragEvent) => {
      if (!enabled || !carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (event: DragEvent) => {
      if (!enabled || !carriesFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      const { files, notes } = droppedFiles(event.dataTransfer);
      if (files.length > 0 || notes.length > 0) onFiles(files, notes);
    },
  };
  return { dragging, handlers };
}

/** The files of a drop, without folders (which cannot be sent: each is named in a note). */
function droppedFiles(data: DataTransfer): { files: File[]; notes: string[] } {
  const files: File[] = [];
  const notes: string[] = [];
  const items = [...data.items].filter((item) => item.kind === 'file');
  if (items.length === 0) return { files: [...data.files], notes };
  for (const item of items) {
    const entry = item.webkitGetAsEntry?.();
    const file = item.getAsFile();
    if (entry?.isDirectory) notes.push(`${entry.name} is a folder; send the files in it instead.`);
    else if (file) files.push(file);
  }
  return { files, notes };
}
