import { type KeyboardEvent, type ReactNode, type SyntheticEvent, useEffect, useRef, useState } from 'react';

/**
 * Wraps the composer while the conversation still shows its preview (`opening`:
 * writes are not possible yet). Typing works; a send asked for meanwhile (Enter, or the
 * Send button) is held, its text left in the box, and submitted as soon as the real view
 * is there, so it is neither lost nor written to a document still loading.
 */
export function SendWhenOpen({ opening, children }: { opening: boolean; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (opening || !held) return;
    setHeld(false);
    box.current?.querySelector('form')?.requestSubmit();
  }, [opening, held]);
  const hold = (event: SyntheticEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setHeld(true);
  };
  const holdEnter = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) hold(event);
  };
  return (
    <div
      ref={box}
      style={{ display: 'contents' }}
      onSubmitCapture={opening ? hold : undefined}
      onKeyDownCapture={opening ? holdEnter : undefined}
    >
      {children}
    </div>
  );
}
