import type { ReactNode } from 'react';
import { BackButton } from './BackButton.js';
import { paths } from './router.js';
import { useFocusHeading } from './useFocusHeading.js';

/** A single-column screen: "Back", the screen's one h1 (focused on arrival), and its content. */
export function Page({ title, back = paths.home, children }: { title: string; back?: string; children: ReactNode }) {
  const heading = useFocusHeading<HTMLHeadingElement>(title);
  return (
    <main className="page">
      <div className="pane-header">
        <BackButton fallback={back} />
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
      </div>
      <div className="page-body">{children}</div>
    </main>
  );
}
