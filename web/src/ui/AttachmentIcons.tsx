import type { ReactNode } from 'react';

/** The line icons of photos and files (24×24, currentColor); each is decorative: its button is named. */

function Icon({ children, size = 20 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width={size}
      height={size}
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.9"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {children}
    </svg>
  );
}

export function PaperclipIcon() {
  return (
    <Icon size={22}>
      <path d="M20.5 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.9-8.9a3.7 3.7 0 0 1 5.2 5.2l-8.9 8.9a1.8 1.8 0 0 1-2.6-2.6l8.2-8.2" />
    </Icon>
  );
}

export function DownloadIcon() {
  return (
    <Icon>
      <path d="M12 4v11m0 0l-4.5-4.5M12 15l4.5-4.5M5 19.5h14" />
    </Icon>
  );
}

export function CloseIcon({ size = 20 }: { size?: number }) {
  return (
    <Icon size={size}>
      <path d="M6 6l12 12M18 6L6 18" />
    </Icon>
  );
}

export function ChevronIcon({ direction }: { direction: 'previous' | 'next' }) {
  return <Icon size={28}>{direction === 'previous' ? <path d="M15 5l-7 7 7 7" /> : <path d="M9 5l7 7-7 7" />}</Icon>;
}

export function CloudOffIcon() {
  return (
    <Icon size={18}>
      <path d="M3 3l18 18M8.5 8.6A4.5 4.5 0 0 0 7 17h10m3-1.6A3.8 3.8 0 0 0 17.5 10 6 6 0 0 0 10.8 5.1" />
    </Icon>
  );
}
