// The signed-in console's frame: the header every screen of the help desk shows — the
// company, the navigation, "Siguiente ticket", search, the notifications' bell, the
// person's presence, and their session (issue 12, items 8, 9 and 11). It offers only what
// the person's role may do (`actions` of GET /v1/me; docs/roles.md), and keeps its
// keyboard shortcuts: "/" or Ctrl+K (⌘K) opens the search, Alt+N takes the next ticket.
import { signal, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import './shell.css';
import { api } from './api.js';
import { errorText } from './errors.js';
import { html } from './html.js';
import { t } from './i18n.js';
import { dismissNotice, notice, tell } from './notice.js';
import { NotificationBell } from './notifications.js';
import { PresenceMenu } from './presence.js';
import { Link, navigate, route } from './router.js';
import { SearchPanel } from './screens/search.js';
import { can, me, signOut } from './session.js';
import { Button, Logo } from './ui.js';
import { adminHome } from './admin/pages.js';
import { analyticsFirst, analyticsHome } from './analytics/pages.js';
import { BillingBanner } from './billing-banner.js';

export function initials(first, last) {
  return `${(first || '').charAt(0)}${(last || '').charAt(0)}`.toUpperCase();
}

/** Whether the search panel is open (the header of whichever screen is shown draws it). */
export const searchOpen = signal(false);
/** Whether "Siguiente ticket" is waiting for the API. */
const taking = signal(false);

export function openSearch() {
  if (!can('tickets.read') || searchOpen.value) return;
  // the panel gives the focus back to what opened it: the search button, even from a shortcut
  document.getElementById('header-search')?.focus();
  searchOpen.value = true;
}

/** Takes the next waiting ticket of the person's channels and opens it (POST /v1/tickets/next). */
export async function takeNext() {
  if (!can('tickets.next') || taking.value) return;
  taking.value = true;
  dismissNotice();
  try {
    const ticket = await api('POST', '/v1/tickets/next');
    navigate(`/tickets/${ticket.number}`);
  } catch (error) {
    if (error.code === 'no_waiting_ticket') tell(t('next.none'));
    else tell(errorText(error), 'error');
  } finally {
    taking.value = false;
  }
}

const TEXT_INPUTS = /^(text|search|email|number|password|tel|url|date|datetime-local|month|time|week)$/;

function typingIn(element) {
  if (!element || element === document.body) return false;
  if (element.isContentEditable) return true;
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  return element.tagName === 'INPUT' && TEXT_INPUTS.test(element.type || 'text');
}

function onShortcut(event) {
  if (event.defaultPrevented || event.isComposing || event.repeat) return;
  if (document.querySelector('dialog[open]')) return; // a modal dialog keeps the keyboard
  const { altKey, ctrlKey, metaKey, shiftKey } = event;
  if ((ctrlKey || metaKey) && !altKey && !shiftKey && event.key.toLowerCase() === 'k') {
    if (!can('tickets.read')) return;
    event.preventDefault();
    openSearch();
  } else if (event.key === '/' && !ctrlKey && !metaKey && !altKey && !typingIn(event.target)) {
    if (!can('tickets.read')) return;
    event.preventDefault();
    openSearch();
  } else if (altKey && !ctrlKey && !metaKey && !shiftKey && event.code === 'KeyN') {
    if (!can('tickets.next')) return;
    event.preventDefault();
    takeNext();
  }
}

function NextTicketButton() {
  const label = t('next.label');
  return html`<button
    type="button"
    id="next-ticket"
    class="header-button header-button--accent"
    aria-label=${label}
    aria-keyshortcuts="Alt+N"
    title=${t('next.title')}
    aria-busy=${taking.value ? 'true' : undefined}
    onClick=${takeNext}
  >
    ${taking.value
      ? html`<span class="spinner" aria-hidden="true"></span>`
      : html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 12h11M11 7l5 5-5 5M19.5 5v14" /></svg>`}
    <span class="header-button__text">${label}</span>
  </button>`;
}

function SearchButton() {
  return html`<button
    type="button"
    id="header-search"
    class="header-button header-search"
    aria-label=${t('header.searchLabel')}
    aria-keyshortcuts="/ Control+K Meta+K"
    aria-haspopup="dialog"
    aria-expanded=${searchOpen.value ? 'true' : 'false'}
    title=${t('header.searchTitle')}
    onClick=${openSearch}
  >
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="11" cy="11" r="6.5" /><path d="M16 16l4.5 4.5" /></svg>
    <span class="header-button__text">${t('header.search')}</span>
    <kbd class="header-search__key" aria-hidden="true">/</kbd>
  </button>`;
}

export function AppHeader() {
  const { user, tenant } = me.value;
  const busy = useSignal(false);
  const name = `${user.first_name} ${user.last_name}`;
  const readOnly = can('tickets.read') && !can('tickets.work');
  const admin = adminHome();
  const analytics = analyticsHome();
  const adminLabel = can('tickets.read') || can('account.read') ? t('admin.link') : t('admin.portal');
  useEffect(() => {
    document.addEventListener('keydown', onShortcut);
    return () => document.removeEventListener('keydown', onShortcut);
  }, []);
  const said = notice.value;
  return html`<header class="app-header">
    <div class="app-header__brand">
      <${Logo} inverted href=${analyticsFirst() && can('tickets.read') ? '/board' : '/'} />
      <span class="app-header__company">${tenant.name}</span>
    </div>
    <nav class="app-header__nav" aria-label=${t('header.nav')}>
      ${can('tickets.read') &&
      html`<${Link} href=${analyticsFirst() ? '/board' : '/'} class="app-header__link" aria-current=${route.value.path === '/' || route.value.path === '/board' ? 'page' : undefined}
        >${t('board.title')}</${Link}
      >`}
      ${can('orders.read') &&
      html`<${Link} href="/orders" class="app-header__link" aria-current=${/^\/orders(\/|$)/.test(route.value.path) ? 'page' : undefined}>${t('header.orders')}</${Link}>`}
      ${analytics &&
      html`<${Link} href=${analytics} class="app-header__link" aria-current=${/^\/analytics(\/|$)/.test(route.value.path) ? 'page' : undefined}>${t('header.analytics')}</${Link}>`}
      ${admin &&
      html`<${Link} href=${admin} class="app-header__link" aria-current=${/^\/(admin|portal)(\/|$)/.test(route.value.path) ? 'page' : undefined}
        >${adminLabel}</${Link}
      >`}
    </nav>
    <div class="app-header__tools">
      ${can('tickets.next') && html`<${NextTicketButton} />`}
      ${can('tickets.read') && html`<${SearchButton} />`}
      <${NotificationBell} />
      ${can('presence.set') && html`<${PresenceMenu} />`}
      ${can('orders.read') &&
      html`<${Link} href="/orders" class="header-icon header-phone-only" aria-label=${t('header.orders')} title=${t('header.orders')}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 3.5h12v17l-3-2-3 2-3-2-3 2z" /><path d="M9 8.5h6M9 12h6" /></svg>
      </${Link}>`}
      ${analytics &&
      html`<${Link} href=${analytics} class="header-icon header-phone-only" aria-label=${t('header.analytics')} title=${t('header.analytics')}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 20h16" /><path d="M7 16v-5M12 16V6M17 16v-8" /></svg>
      </${Link}>`}
      ${admin &&
      html`<${Link} href=${admin} class="header-icon header-phone-only" aria-label=${adminLabel} title=${adminLabel}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="12" cy="12" r="3" />
          <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 0 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 0 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 0 1-2.83-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 0 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 0 1 2.83-2.83l.06.06a1.65 1.65 0 0 0 1.82.33H9a1.65 1.65 0 0 0 1-1.51V3a2 2 0 0 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 0 1 2.83 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82V9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 0 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
        </svg>
      </${Link}>`}
      <${Link} href="/profile" class="header-icon header-phone-only header-initials" aria-label=${t('profile.link')} title=${t('profile.link')}>
        ${initials(user.first_name, user.last_name)}
      </${Link}>
    </div>
    <section class="account" aria-label=${t('header.account')}>
      <span class="account__avatar" aria-hidden="true">${initials(user.first_name, user.last_name)}</span>
      <span class="account__who">
        <${Link} href="/profile" class="account__name" title=${t('profile.link')}>${name}</${Link}>
        <span class="account__role">
          ${t(`role.${user.role}`)}
          ${readOnly && html`<span class="account__read-only" title=${t('header.readOnlyTitle')}>${t('header.readOnly')}</span>`}
        </span>
      </span>
      <${Button}
        type="button"
        variant="ghost"
        class="button button--ghost account__logout"
        aria-label=${t('header.logout')}
        title=${t('header.logout')}
        busy=${busy.value}
        onClick=${() => {
          busy.value = true;
          signOut();
        }}
      >
        <svg class="account__logout-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M10 4.5H6A1.5 1.5 0 0 0 4.5 6v12A1.5 1.5 0 0 0 6 19.5h4M15 16l4-4-4-4M19 12H9.5" />
        </svg>
        <span class="account__logout-text">${t('header.logout')}</span>
      </${Button}>
    </section>
    <div class=${said ? `header-notice header-notice--${said.tone}` : 'visually-hidden'}>
      <p class="header-notice__text" role="status">${said?.text}</p>
      ${said &&
      html`<button type="button" class="header-notice__close" aria-label=${t('dialog.close')} title=${t('dialog.close')} onClick=${dismissNotice}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
      </button>`}
    </div>
    ${searchOpen.value && html`<${SearchPanel} onClose=${() => (searchOpen.value = false)} />`}
  </header><${BillingBanner} />`;
}
