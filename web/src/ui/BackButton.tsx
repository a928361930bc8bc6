import { goBack } from './router.js';

/** "Back": a step back through the app's history, or to `fallback` when the page was opened directly. */
export function BackButton({ fallback, className }: { fallback: string; className?: string }) {
  return (
    <button type="button" className={`button small back${className ? ` ${className}` : ''}`} onClick={() => goBack(fallback)}>
      <span aria-hidden="true">←</span> Back
    </button>
  );
}
