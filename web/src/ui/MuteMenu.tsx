import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { ConversationSummary, MuteDuration } from '../app/model.js';
import { useClient } from './client-context.js';
import { FormError } from './FormError.js';
import { formatUntil } from './format.js';
import { BellPath } from './MutedIcon.js';
import { useAction } from './useAction.js';

const choices: { duration: MuteDuration; label: string }[] = [
  { duration: 'EIGHT_HOURS', label: 'For 8 hours' },
  { duration: 'ONE_WEEK', label: 'For 1 week' },
  { duration: 'ALWAYS', label: 'Always' },
];

/**
 * "Mute notifications": a button in the conversation header opening a menu of durations (and
 * "Unmute" while muted). Arrow keys move through the items; Escape, Tab or a click outside
 * closes it (Escape gives the button focus back). A choice closes it once the server agreed;
 * a failure (offline, say) is shown in the menu, which stays open.
 */
export function MuteMenu({ conversation }: { conversation: ConversationSummary }) {
  const client = useClient();
  const [open, setOpen] = useState(false);
  const anchor = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const act = useAction(async (duration: MuteDuration | null) => {
    if (duration) await client.mute(conversation.id, duration);
    else await client.unmute(conversation.id);
    setOpen(false);
    button.current?.focus();
  });
  const { clearError } = act;

  useEffect(() => {
    if (!open) return;
    clearError();
    menu.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!anchor.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open, clearError]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
      return;
    }
    if (event.key === 'Tab') {
      setOpen(false);
      return;
    }
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const next =
      event.key === 'ArrowDown'
        ? items[(at + 1) % items.length]
        : event.key === 'ArrowUp'
          ? items[(at + items.length - 1) % items.length]
          : event.key === 'Home'
            ? items[0]
            : event.key === 'End'
              ? items.at(-1)
              : undefined;
    if (!next) return;
    event.preventDefault();
    next.focus();
  };

  const status = muteStatus(conversation);
  return (
    <div ref={anchor} className="mute-anchor">
      <button
        ref={button}
        type="button"
        className={`icon-button mute-button${conversation.muted ? ' is-muted' : ''}`}
        aria-label="Mute notifications"
        aria-haspopup="menu"
        aria-expanded={open}
        title={status ?? 'Mute notifications'}
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
          <BellPath />
          {conversation.muted && <path d="M4 3l17 17" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />}
        </svg>
      </button>
      {open && (
        // biome-ignore lint/a11y/noStaticElementInteractions: the keys are handled for the menu items inside
        <div className="mute-popup" onKeyDown={onKeyDown}>
          <p className="mute-status">{status ?? 'Mute notifications'}</p>
          <div ref={menu} role="menu" aria-label="Mute notifications" className="mute-menu">
            {choices.map((c) => (
              <button key={c.duration} type="button" role="menuitem" disabled={act.busy} onClick={() => void act.run(c.duration)}>
                {c.label}
              </button>
            ))}
            {conversation.muted && (
              <button type="button" role="menuitem" disabled={act.busy} onClick={() => void act.run(null)}>
                Unmute
              </button>
            )}
          </div>
          <FormError message={act.error} />
        </div>
      )}
    </div>
  );
}

/** "Muted until 18:30", "Muted until Tue 18:30", "Muted"; null when not muted. */
function muteStatus(c: ConversationSummary): string | null {
  if (!c.muted) return null;
  return c.mutedUntil === null ? 'Muted' : `Muted until ${formatUntil(c.mutedUntil)}`;
}
