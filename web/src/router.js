// The console's own paths, with the History API. A path the API serves (/v1, /docs,
// /webhooks, /chat) is a normal page load, never a client-side route.
import { signal } from '@preact/signals';
import { html } from './html.js';

const SERVER_PATHS = /^\/(v1|docs|webhooks|chat)(\/|$)/;

function here() {
  return { path: location.pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(location.search) };
}

/** The current path and query string; screens read it, navigate() changes it. */
export const route = signal(here());

/** How many times the screen changed without a page load (a new screen then takes focus). */
export const moves = { count: 0 };

export function navigate(to, { replace = false } = {}) {
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  moves.count += 1;
  route.value = here();
  window.scrollTo(0, 0);
}

addEventListener('popstate', () => {
  moves.count += 1;
  route.value = here();
});

/** A link inside the console: no page load, same keyboard and middle-click behaviour. */
export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (SERVER_PATHS.test(href)) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}
