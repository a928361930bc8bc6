import { useEffect, useRef } from 'react';

/**
 * Moves focus to the screen's h1 when the screen opens after an in-app navigation (not on the
 * first page load, whose history entry has no state), so keyboard and screen reader users
 * start at the top of the new screen.
 */
export function useFocusHeading<T extends HTMLElement>(key: string) {
  const ref = useRef<T>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again when the screen (key) changes
  useEffect(() => {
    if (history.state === null) return;
    ref.current?.focus({ preventScroll: true });
  }, [key]);
  return ref;
}
