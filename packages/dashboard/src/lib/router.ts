import { useEffect, useState } from 'preact/hooks';
import { matchRoute, type Route } from './routes.js';

const NAVIGATE = 'apiary:navigate';

/** Push a client-side route without reloading the page. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

/** The current route; re-renders on back/forward and on `navigate`. */
export function useRoute(): Route {
  const here = () => `${window.location.pathname}${window.location.search}`;
  const [path, setPath] = useState(here);
  useEffect(() => {
    const update = () => setPath(here());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  const [pathname = '', search = ''] = path.split(/(?=\?)/);
  return matchRoute(pathname, search);
}

/** Follow a link in-app unless the user asked for a new tab or window. */
export function onLinkClick(event: MouseEvent, href: string): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(href);
}
