/** A struck-through bell: the conversation's notifications are muted. Named "Muted" for screen readers. */
export function MutedIcon({ className }: { className?: string }) {
  return (
    <svg
      className={`muted-icon${className ? ` ${className}` : ''}`}
      role="img"
      aria-label="Muted"
      viewBox="0 0 24 24"
      width="16"
      height="16"
    >
      <title>Muted</title>
      <BellPath />
      <path d="M4 3l17 17" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

/** A bell outline (the mute menu's button shows it, struck through while muted). */
export function BellPath() {
  return (
    <path
      d="M12 3a6 6 0 0 0-6 6v3.5L4.5 15.5V17h15v-1.5L18 12.5V9a6 6 0 0 0-6-6zm-2 15.5a2 2 0 0 0 4 0"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinejoin="round"
    />
  );
}
