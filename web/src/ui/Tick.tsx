import type { ReactNode } from 'react';
import type { Tick as TickValue } from '../app/model.js';

const labels: Record<TickValue, string> = {
  pending: 'Pending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
};

const check = 'M2.5 8.5l3 3 6.5-7';
const icons: Record<TickValue, ReactNode> = {
  pending: (
    <>
      <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </>
  ),
  sent: <path d={check} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />,
  delivered: <DoubleCheck />,
  read: <DoubleCheck />,
  failed: (
    <>
      <path d="M8 1.8L15 14H1z" fill="currentColor" />
      <path d="M8 6v3.5" stroke="var(--tick-failed-mark)" strokeWidth="1.6" strokeLinecap="round" />
      <circle cx="8" cy="11.6" r="0.9" fill="var(--tick-failed-mark)" />
    </>
  ),
};

function DoubleCheck() {
  return (
    <g fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
      <path d="M0.8 8.8l2.8 2.8 6.2-7" />
      <path d="M6.4 11.2l0.6 0.5 6.2-7" />
    </g>
  );
}

/** An own message's progress: clock, ✓, ✓✓, ✓✓ highlighted (read), or ⚠ (failed). */
export function Tick({ tick }: { tick: TickValue }) {
  return (
    <span className={`tick tick-${tick}`} data-tick={tick} role="img" aria-label={labels[tick]} title={labels[tick]}>
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
        {icons[tick]}
      </svg>
    </span>
  );
}
