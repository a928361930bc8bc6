import { type RefObject, useEffect, useState } from 'react';

/**
 * Becomes true once the element comes within `margin` of what its scrolling message log shows
 * (or of the viewport, outside a log), and stays true: a long conversation fetches only the
 * photos near what is on screen. True at once where IntersectionObserver is missing.
 */
export function useInView(ref: RefObject<Element | null>, margin = '600px'): boolean {
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (seen || !el) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setSeen(true);
          observer.disconnect();
        }
      },
      { root: el.closest('.log'), rootMargin: margin },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, margin, seen]);
  return seen;
}
