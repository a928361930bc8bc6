import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from './router.js';

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; replace?: boolean };

/** An in-app link: a real href (open in new tab works), navigated through the router on a plain click. */
export function Link({ to, replace, onClick, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to, { replace: replace ?? false });
  };
  return <a href={`#${to}`} onClick={handleClick} {...rest} />;
}
