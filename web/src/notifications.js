// The header's bell (issue 12, item 8): how many notifications are unread, and a panel
// listing them (what happened, on which ticket, when in the company's timezone); one
// opens its ticket and is marked read.
//
// The count is read again — one small read, GET /v1/notifications?unread=true&limit=1 —
// when live.js says something changed on the desk (at most once per CHANGE_WINDOW_MS,
// changes come in bursts), when the window gets the focus back, and, as a slow fallback
// while the tab is visible, every FALLBACK_MS. No loop of its own beyond that: an idle
// desk's fast reads are live.js's to spend.
import { effect, signal, useSignal } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { api } from './api.js';
import { errorText } from './errors.js';
import { formatDateTime, timezone } from './format.js';
import { html } from './html.js';
import { localeTag, t } from './i18n.js';
import { onChange } from './live.js';
import { useDismiss } from './popover.js';
import { navigate } from './router.js';
import { me } from './session.js';
import { useId } from './ui.js';

/** The slow fallback while the tab is visible, in case a change was never heard of. */
export const FALLBACK_MS = 60_000;
/** Changes on the desk within this window cost one read of the count. */
export const CHANGE_WINDOW_MS = 10_000;
/** Notifications per page of the panel. */
const PAGE = 20;

/** How many of the signed-in person's notifications are unread; null until read. */
export const unread = signal(null);
/** What the polite live region says when new notifications arrive. */
const arrived = signal('');

let lastRead = 0;
let reading = null;
let later = null;

function setCount(count) {
  const before = unread.value;
  unread.value = count;
  if (before !== null && count > before) {
    arrived.value = count === 1 ? t('notifications.arrivedOne') : t('notifications.arrivedMany', { count });
  }
}

/** Reads the unread count now (one call at a time). */
export function readCount() {
  reading ??= api('GET', '/v1/notifications?unread=true&limit=1')
    .then(
      (page) => setCount(page.unread_count),
      () => {}, // offline or signed out: the next occasion reads it again
    )
    .finally(() => {
      reading = null;
    });
  lastRead = Date.now();
  return reading;
}

function readSoon() {
  if (later) return;
  const wait = Math.max(1_500, CHANGE_WINDOW_MS - (Date.now() - lastRead));
  later = setTimeout(() => {
    later = null;
    readCount();
  }, wait);
}

/** The window got the focus back (or the tab was shown): one read, unless one is under way. */
function readAgain() {
  readCount();
}

let watchers = 0;
let unwatch = null;

/** Keeps the count current while a header is on screen (headers come and go with screens). */
function watchCount() {
  watchers += 1;
  if (watchers === 1) {
    readCount();
    const stopLive = onChange(readSoon);
    const onVisible = () => document.visibilityState === 'visible' && readAgain();
    const fallback = setInterval(() => {
      if (document.visibilityState === 'visible' && Date.now() - lastRead >= FALLBACK_MS - 1_000) readCount();
    }, FALLBACK_MS);
    addEventListener('focus', readAgain);
    document.addEventListener('visibilitychange', onVisible);
    unwatch = () => {
      stopLive();
      clearInterval(fallback);
      clearTimeout(later);
      later = null;
      removeEventListener('focus', readAgain);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }
  return () => {
    watchers -= 1;
    // the next screen's header mounts right after this one unmounts: keep watching then
    queueMicrotask(() => {
      if (watchers === 0 && unwatch) {
        unwatch();
        unwatch = null;
      }
    });
  };
}

// another person signing in on this tab starts from nothing
effect(() => {
  if (!me.value) {
    unread.value = null;
    arrived.value = '';
  }
});

// --- the panel ------------------------------------------------------------------------------
const ICONS = {
  assigned: html`<circle cx="10" cy="8" r="3.5" /><path d="M3.5 19a6.5 6.5 0 0 1 13 0M18.5 8v6M15.5 11h6" />`,
  mention: html`<circle cx="12" cy="12" r="3.5" /><path d="M15.5 12v1.5a2.5 2.5 0 0 0 5 0V12a8.5 8.5 0 1 0-3.3 6.7" />`,
  sla_breach: html`<circle cx="12" cy="13" r="7.5" /><path d="M12 9v4.5l2.5 1.5M9.5 3h5" />`,
  escalated: html`<path d="M7 17L17 7M9 7h8v8" />`,
};

/** The hour when it is today in the company's timezone, else the day and the hour. */
function when(iso, now = new Date()) {
  const at = new Date(iso);
  const day = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: timezone.value }).format(d);
  const options = { hour: '2-digit', minute: '2-digit', timeZone: timezone.value };
  if (day(at) !== day(now)) Object.assign(options, { day: 'numeric', month: 'short' });
  return new Intl.DateTimeFormat(localeTag.value, options).format(at);
}

function Notice({ item, onOpen }) {
  const kind = ICONS[item.kind] ? item.kind : 'assigned';
  return html`<li class=${`notice${item.read ? '' : ' notice--unread'}`}>
    <button type="button" class="notice__button" onClick=${() => onOpen(item)}>
      <span class=${`notice__icon notice__icon--${kind}`} aria-hidden="true">
        <svg viewBox="0 0 24 24" focusable="false">${ICONS[kind]}</svg>
      </span>
      <span class="notice__body">
        <span class="notice__kind">
          ${t(`notifications.kind.${kind}`)}
          ${!item.read && html`<span class="visually-hidden">, ${t('notifications.unread')}</span>`}
        </span>
        <span class="notice__text">${item.text}</span>
        <span class="notice__meta">
          ${item.ticket_number !== null && html`<span>${t('notifications.ticket', { number: item.ticket_number })}</span>`}
          <time datetime=${item.created_at} title=${formatDateTime(item.created_at)}>${when(item.created_at)}</time>
        </span>
      </span>
      ${!item.read && html`<span class="notice__dot" aria-hidden="true"></span>`}
    </button>
  </li>`;
}

function NotificationPanel({ id, buttonRef, onClose }) {
  const ref = useRef(null);
  const headingId = useId('notifications');
  const items = useSignal(null);
  const cursor = useSignal(null);
  const problem = useSignal(null);
  const more = useSignal(false);
  useDismiss(ref, buttonRef, onClose);

  async function load(after) {
    problem.value = null;
    more.value = Boolean(after);
    try {
      const page = after
        ? await api('GET', `/v1/notifications?limit=${PAGE}&cursor=${encodeURIComponent(after)}`)
        : await api('GET', `/v1/notifications?limit=${PAGE}`);
      items.value = after ? [...items.value, ...page.items] : page.items;
      cursor.value = page.next_cursor;
      setCount(page.unread_count);
    } catch (error) {
      problem.value = errorText(error);
      if (!after) items.value = items.value ?? [];
    } finally {
      more.value = false;
    }
  }

  useLayoutEffect(() => {
    ref.current?.querySelector('h2')?.focus();
    load(null);
  }, []);

  function open(item) {
    if (!item.read) {
      items.value = items.value.map((n) => (n.id === item.id ? { ...n, read: true } : n));
      unread.value = Math.max(0, (unread.value ?? 1) - 1);
      api('POST', '/v1/notifications/read', { ids: [item.id] }).then(
        (done) => (unread.value = done.unread_count),
        () => readCount(),
      );
    }
    onClose({ refocus: item.ticket_number === null });
    if (item.ticket_number !== null) navigate(`/tickets/${item.ticket_number}`);
  }

  async function markAll() {
    try {
      const done = await api('POST', '/v1/notifications/read', { all: true });
      items.value = items.value.map((n) => ({ ...n, read: true }));
      unread.value = done.unread_count;
    } catch (error) {
      problem.value = errorText(error);
    }
  }

  const list = items.value;
  return html`<section id=${id} ref=${ref} class="header-panel notifications" role="dialog" aria-labelledby=${headingId}>
    <div class="header-panel__head">
      <h2 id=${headingId} class="header-panel__title" tabindex="-1">${t('notifications.title')}</h2>
      ${(unread.value ?? 0) > 0 &&
      html`<button type="button" class="link-button" onClick=${markAll}>${t('notifications.markAll')}</button>`}
    </div>
    ${problem.value &&
    html`<div class="header-panel__problem" role="alert">
      <p>${problem.value}</p>
      <button type="button" class="link-button" onClick=${() => load(list?.length ? cursor.value : null)}>${t('notifications.retry')}</button>
    </div>`}
    ${list === null &&
    html`<p class="header-panel__state" role="status"><span class="spinner" aria-hidden="true"></span>${t('notifications.loading')}</p>`}
    ${list?.length === 0 && !problem.value && html`<p class="header-panel__state">${t('notifications.empty')}</p>`}
    ${list?.length > 0 &&
    html`<ul class="notifications__list" aria-labelledby=${headingId}>
      ${list.map((item) => html`<${Notice} key=${item.id} item=${item} onOpen=${open} />`)}
    </ul>`}
    ${cursor.value &&
    html`<div class="header-panel__foot">
      <button type="button" class="link-button" disabled=${more.value} onClick=${() => load(cursor.value)}>
        ${t('notifications.more')}
      </button>
    </div>`}
  </section>`;
}

// --- the bell -----------------------------------------------------------------------------------
export function NotificationBell() {
  const open = useSignal(false);
  const buttonRef = useRef(null);
  const id = useId('notifications-panel');
  useEffect(watchCount, []);
  const count = unread.value ?? 0;
  let label = t('notifications.label');
  if (count === 1) label = t('notifications.labelOne');
  else if (count > 1) label = t('notifications.labelMany', { count });
  const close = ({ refocus }) => {
    open.value = false;
    if (refocus) buttonRef.current?.focus();
  };
  return html`<div class="bell">
    <button
      type="button"
      ref=${buttonRef}
      class="header-icon bell__button"
      aria-label=${label}
      title=${label}
      aria-expanded=${open.value ? 'true' : 'false'}
      aria-controls=${open.value ? id : undefined}
      onClick=${() => (open.value = !open.value)}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 2h-15z" /><path d="M10 20.5a2.2 2.2 0 0 0 4 0" />
      </svg>
      ${count > 0 && html`<span class="bell__count" aria-hidden="true">${count > 99 ? '99+' : count}</span>`}
    </button>
    ${open.value && html`<${NotificationPanel} id=${id} buttonRef=${buttonRef} onClose=${close} />`}
    <span class="visually-hidden" role="status">${arrived.value}</span>
  </div>`;
}
