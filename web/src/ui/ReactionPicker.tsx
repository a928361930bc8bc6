import { type KeyboardEvent, useEffect, useRef } from 'react';

/** The reactions offered; the API accepts any single emoji. */
export const reactionEmoji = ['👍', '❤️', '😂', '😮', '😢', '🎉'] as const;

/**
 * A small row of emoji buttons. Focus starts on the first; arrow keys move along the row;
 * Escape, a click outside or a pick closes it (the opener gets focus back).
 */
export function ReactionPicker({
  current,
  onPick,
  onClose,
}: {
  current: string | null;
  onPick: (emoji: string | null) => void;
  onClose: (restoreFocus: boolean) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!ref.current?.parentElement?.contains(event.target as Node)) onClose(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [onClose]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose(true);
      return;
    }
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const buttons = [...(ref.current?.querySelectorAll('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[(at + (event.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length];
    next?.focus();
    event.preventDefault();
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would bring a legend and form semantics to a popup row of buttons
    <div ref={ref} className="reaction-picker" role="group" aria-label="Pick a reaction" onKeyDown={onKeyDown}>
      {reactionEmoji.map((emoji) => (
        <button
          key={emoji}
          type="button"
          className="reaction-option"
          aria-pressed={current === emoji}
          onClick={() => onPick(current === emoji ? null : emoji)}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}
