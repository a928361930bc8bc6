import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from './errors.js';

export type Action<A extends unknown[]> = {
  run: (...args: A) => Promise<void>;
  busy: boolean;
  error: string | null;
  clearError: () => void;
  /** A form's onSubmit: keeps the page where it is and runs the action (with no arguments). */
  submit: (event: FormEvent) => void;
};

/**
 * Runs an online-only operation for a form or button: tracks busy, turns a rejection into
 * the error text to show, and ignores results that arrive after the component unmounted.
 * A form submits it with `onSubmit={action.submit}`.
 */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useRef(true);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await fnRef.current(...args);
    } catch (e) {
      if (mounted.current) setError(errorText(e));
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  const submit = useCallback(
    (event: FormEvent) => {
      event.preventDefault();
      void (run as () => Promise<void>)();
    },
    [run],
  );
  return { run, busy, error, clearError, submit };
}
