import type { ButtonHTMLAttributes } from 'react';
import { navigate } from './router.js';

/** A button that opens another screen (for controls the tests and screen readers know as buttons). */
export function NavButton({ to, className, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { to: string }) {
  return <button type="button" className={className} onClick={() => navigate(to)} {...rest} />;
}
