// "Mesón de ayuda" (seeds 001 and 003): the signed-in person's columns side by side, each
// a page of tickets (or their latest messages) loaded by cursor as it is scrolled, with
// its display toggles at its foot; the "Nueva columna" dialog; an admin's first-login
// modal for connecting channels. Live (issue 12, item 6): a column whose tickets changed
// reads its first page again and merges it on top (live-board.js), keeping its place.
import { signal, useSignal } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { ChannelIcon, channelName, CHANNEL_TYPES } from '../channels.js';
import { errorText } from '../errors.js';
import { timezone, formatDateTime, formatSpan, formatWhen } from '../format.js';
import { html } from '../html.js';
import { localeTag, t } from '../i18n.js';
import { onChange } from '../live.js';
import { mayShow, mergeFirstPage } from '../live-board.js';
import '../live.css';
import { can, me } from '../session.js';
import { Alert, Button, Dialog, ScreenTitle, useTitle } from '../ui.js';
import { Link } from '../router.js';
import { AppHeader, initials } from '../shell.js';
import { ColumnDialog } from './column-dialog.js';

/** Cards per page of a column (the API takes 1–50). */
export const PAGE = 20;
const TOGGLES = ['show_preview', 'show_client', 'show_sla', 'compact'];
/** Where a channel type is connected (web/src/admin/kinds/). */
export const connectPage = (type) => `/admin/channels/connect/${type}`;


/** The company's current day and time, in its timezone. */
function useCompanyClock() {
  const at = useSignal(new Date());
  useEffect(() => {
    const timer = setInterval(() => (at.value = new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return new Intl.DateTimeFormat(localeTag.value, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: timezone.value,
  }).format(at.value);
}

// --- who the cards name: clients (one GET each, remembered) and the account's users -----
/** ``{client id: name}``; '' while unknown or nameless. */
const clientNames = signal({});
const asked = new Set();
const waiting = [];
let inFlight = 0;

function wantClient(id) {
  if (asked.has(id)) return;
  asked.add(id);
  waiting.push(id);
  pump();
}

function pump() {
  while (inFlight < 4 && waiting.length) {
    const id = waiting.shift();
    inFlight += 1;
    api('GET', `/v1/clients/${id}`)
      .then(
        (client) => client.name || client.handle || client.phone || client.email || '',
        () => '',
      )
      .then((name) => {
        clientNames.value = { ...clientNames.value, [id]: name };
        inFlight -= 1;
        pump();
      });
  }
}

/** The account's channels (first 100), for naming a column's accounts; null until read. */
const channels = signal(null);

async function loadChannels() {
  if (!can('channels.read')) return [];
  try {
    channels.value = (await api('GET', '/v1/channels?limit=100')).items;
  } catch {
    return null; // the chips then say "Cuenta"; no welcome without knowing
  }
  return channels.value;
}

/** ``{user id: user}`` of the account, for roles that may list users. */
const users = signal({});

async function loadUsers() {
  if (!can('users.read')) return;
  try {
    const page = await api('GET', '/v1/users?limit=100');
    users.value = Object.fromEntries(page.items.map((u) => [u.id, u]));
  } catch {
    // the cards then say "Asignado" without a name
  }
}

function assigneeOf(id) {
  if (!id) return { text: t('card.unassigned'), initials: '–', none: true };
  if (id === me.value.user.id) {
    const { user } = me.value;
    return { text: t('card.you'), initials: initials(user.first_name, user.last_name) };
  }
  const user = users.value[id];
  if (!user) return { text: t('card.assigned'), initials: '·' };
  return { text: `${user.first_name} ${user.last_name.charAt(0)}.`, initials: initials(user.first_name, user.last_name) };
}

// --- a card -----------------------------------------------------------------------------
const SENTIMENT_FACES = {
  happy: 'M8.5 14a4.5 4.5 0 0 0 7 0',
  neutral: 'M8.5 15h7',
  angry: 'M8.5 16a4.5 4.5 0 0 1 7 0M8 9l2.5 1M16 9l-2.5 1',
};

function Sentiment({ value }) {
  if (!SENTIMENT_FACES[value]) return null;
  const label = t('card.sentiment', { value: t(`sentiment.${value}`) });
  return html`<span class=${`sentiment sentiment--${value}`} role="img" aria-label=${label} title=${label}>
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="8.5" /><circle cx="9.5" cy="10.5" r=".9" class="fill" /><circle cx="14.5" cy="10.5" r=".9" class="fill" />
      <path d=${SENTIMENT_FACES[value]} />
    </svg>
  </span>`;
}

/** The next SLA deadline still to meet, or ``breached``. The card does not say whether the
 * first response was given: an answer as the latest message counts as given. */
function slaOf(card, now) {
  const sla = card.sla || {};
  if (sla.breached) return { breached: true };
  const breaches = sla.breaches || {};
  const answered = card.last_message?.direction === 'out';
  const due = [
    !answered && !breaches.first_response && sla.first_response_due,
    !breaches.resolution && sla.resolution_due,
  ].filter(Boolean);
  if (!due.length) return null;
  const at = due.sort()[0];
  const left = new Date(at) - now;
  return left <= 0 ? { breached: true, at } : { at, left, soon: left < 60 * 60_000 };
}

function Sla({ card }) {
  if (!['open', 'pending'].includes(card.status)) return null;
  const sla = slaOf(card, Date.now());
  if (!sla) return null;
  if (sla.breached) {
    return html`<span class="sla sla--late" title=${sla.at ? t('sla.dueAt', { when: formatDateTime(sla.at) }) : undefined}>
      ${t('sla.breached')}
    </span>`;
  }
  return html`<span class=${`sla${sla.soon ? ' sla--soon' : ''}`} title=${t('sla.dueAt', { when: formatDateTime(sla.at) })}>
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="8" /><path d="M12 8v4l2.5 2" /></svg>
    ${t('sla.left', { time: formatSpan(sla.left) })}
  </span>`;
}

function Card({ card, kind, toggles, fresh }) {
  const client = clientNames.value[card.client_id];
  useEffect(() => {
    if (toggles.show_client) wantClient(card.client_id);
  }, [card.client_id, toggles.show_client]);
  const clientText = client || t('card.client');
  const preview = kind === 'messages' ? { text: card.text, direction: card.direction, at: card.at } : card.last_message;
  const at = preview?.at || card.last_activity_at;
  const who = assigneeOf(card.assignee_id);
  const compact = toggles.compact;
  const classes = `card-item${compact ? ' card-item--compact' : ''}${card.important ? ' card-item--important' : ''}${fresh ? ' card-item--live' : ''}`;
  return html`<li class=${classes} data-number=${card.number}>
    <article class="ticket" aria-label=${t('card.label', { number: card.number, client: clientText })}>
      <div class="ticket__top">
        <${ChannelIcon} type=${card.channel_type} size="sm" />
        <${Link} class="ticket__number ticket__link" href=${`/tickets/${card.number}`}>#${card.number}</${Link}>
        ${card.status !== 'open' && html`<span class=${`badge badge--${card.status}`}>${t(`status.${card.status}`)}</span>`}
        ${card.important &&
        html`<span class="flag" role="img" aria-label=${t('card.important')} title=${t('card.important')}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 4l2.4 5 5.4.6-4 3.7 1.1 5.4L12 16l-4.9 2.7 1.1-5.4-4-3.7 5.4-.6z" /></svg>
        </span>`}
        ${kind === 'tickets' && html`<${Sentiment} value=${card.sentiment_end} />`}
        <time class="ticket__time" datetime=${at}>${formatWhen(at)}</time>
      </div>
      ${toggles.show_client &&
      html`<p class=${`ticket__client${client ? '' : ' ticket__client--unknown'}`}>${client === undefined ? html`<span class="skeleton" aria-hidden="true"></span><span class="visually-hidden">${t('app.loading')}</span>` : clientText}</p>`}
      ${toggles.show_preview &&
      preview?.text &&
      html`<p class=${`ticket__preview${preview.direction === 'out' ? ' ticket__preview--out' : ''}`}>
        ${preview.direction === 'out' && html`<span class="ticket__replied">${t('card.replied')} </span>`}${preview.text}
      </p>`}
      ${!compact || toggles.show_sla
        ? html`<div class="ticket__foot">
            ${!compact &&
            html`<span class=${`assignee${who.none ? ' assignee--none' : ''}`} title=${t('card.assignee')}>
              <span class="assignee__avatar" aria-hidden="true">${who.initials}</span>
              <span><span class="visually-hidden">${t('card.assignee')}: </span>${who.text}</span>
            </span>`}
            ${toggles.show_sla && html`<${Sla} card=${card} />`}
          </div>`
        : null}
    </article>
  </li>`;
}

// --- a column ---------------------------------------------------------------------------
const TOGGLE_ICONS = {
  show_preview: 'M5 7h14M5 12h14M5 17h9',
  show_client: 'M12 12a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM5.5 19a6.5 6.5 0 0 1 13 0',
  show_sla: 'M12 20a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM12 8v4l2.5 2',
  compact: 'M5 6h14M5 10h14M5 14h14M5 18h14',
};

function FilterChips({ column }) {
  const f = column.filters;
  const chips = [];
  for (const type of f.channel_types || []) chips.push(html`<${ChannelIcon} type=${type} size="xs" />`);
  for (const id of f.channel_ids || []) {
    const known = channels.value?.find((c) => c.id === id);
    chips.push(html`<span class="chip">${known ? known.name : t('column.account')}</span>`);
  }
  const statuses = f.statuses || [];
  const usual = statuses.length === 2 && statuses.includes('open') && statuses.includes('pending');
  if (!usual) chips.push(html`<span class="chip">${statuses.map((s) => t(`status.${s}`)).join(', ')}</span>`);
  chips.push(html`<span class="chip">${t(`assignee.${['me', 'unassigned', 'any'].includes(f.assignee) ? f.assignee : 'user'}`)}</span>`);
  if (f.important) chips.push(html`<span class="chip">${t('card.important')}</span>`);
  if (f.sla_breached === true) chips.push(html`<span class="chip chip--late">${t('sla.breached')}</span>`);
  if (f.tags?.length) chips.push(html`<span class="chip">${t('column.tags', { n: f.tags.length })}</span>`);
  return html`<div class="column__filters">${chips}</div>`;
}

function Column({ column, index, count, manage, hearers, onMove, onRemove, onToggle }) {
  const items = useSignal([]);
  const cursor = useSignal(null);
  const done = useSignal(false);
  const loading = useSignal(false);
  const failed = useSignal(null);
  const list = useRef(null);
  const sentinel = useRef(null);

  async function load(fresh = false) {
    if (loading.value || (done.value && !fresh)) return;
    loading.value = true;
    failed.value = null;
    const after = fresh ? null : cursor.value;
    try {
      const page = after
        ? await api('GET', `/v1/columns/${column.id}/items?limit=${PAGE}&cursor=${encodeURIComponent(after)}`)
        : await api('GET', `/v1/columns/${column.id}/items?limit=${PAGE}`);
      const seen = new Set(fresh ? [] : items.value.map((c) => c.number));
      items.value = [...(fresh ? [] : items.value), ...page.items.filter((c) => !seen.has(c.number))];
      cursor.value = page.next_cursor;
      done.value = !page.next_cursor;
    } catch (error) {
      if (error.code === 'invalid_cursor' && !fresh) {
        loading.value = false; // the column changed since: start again from the top
        return load(true);
      }
      failed.value = errorText(error);
    } finally {
      loading.value = false;
    }
  }

  useEffect(() => {
    load(true);
  }, [column.id]);

  // --- live: the changes that may concern this column read its first page again --------
  const fresh = useSignal(new Set()); // cards that just arrived or changed (highlighted)
  const unseen = useSignal(0); // new cards above the part of the list in view
  const news = useSignal(''); // what the column's live region says
  const anchor = useRef(null); // the card to keep in place while cards land above it
  const live = useRef(null);
  live.current ??= {
    changed: new Set(), // tickets named by the changes not yet read again
    gone: new Set(), // of those, the ones their change takes out of this column
    expected: new Set(), // of those, the ones their change puts into it
    retried: new Set(), // looked for twice already
    timers: new Set(),
    queued: false,
    busy: false,
    mounted: true,
  };

  function later(task, ms) {
    const state = live.current;
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      if (state.mounted) task();
    }, ms);
    state.timers.add(timer);
  }

  function queueRefresh() {
    const state = live.current;
    if (state.queued) return;
    state.queued = true;
    queueMicrotask(refresh); // the changes of one poll: one read
  }

  async function refresh() {
    const state = live.current;
    state.queued = false;
    if (!state.mounted) return;
    if (state.busy || loading.value) {
      state.queued = true;
      later(refresh, 300);
      return;
    }
    if (failed.value && !items.value.length) {
      load(true); // never loaded: load it as at first
      return;
    }
    const { changed, gone, expected } = state;
    Object.assign(state, { changed: new Set(), gone: new Set(), expected: new Set(), busy: true });
    let page;
    try {
      page = await api('GET', `/v1/columns/${column.id}/items?limit=${PAGE}`);
    } catch {
      state.busy = false;
      return; // the next change, or the next visit, reads it again
    }
    state.busy = false;
    if (!state.mounted) return;
    const merged = mergeFirstPage(items.value, page, changed, gone);
    holdPlace(merged.items);
    items.value = merged.items;
    if (!merged.kept) {
      cursor.value = page.next_cursor;
      done.value = !page.next_cursor;
    }
    const touched = [...merged.added, ...merged.updated];
    if (touched.length) {
      fresh.value = new Set([...fresh.value, ...touched]);
      later(() => {
        const rest = new Set(fresh.value);
        for (const number of touched) rest.delete(number);
        fresh.value = rest;
      }, 2_500);
    }
    if (merged.added.length) {
      const n = merged.added.length;
      const text = n === 1 ? t('live.addedOne', { name: column.name }) : t('live.addedMany', { n, name: column.name });
      news.value = ''; // the same words twice are said twice
      later(() => (news.value = text), 100);
      if (anchor.current) unseen.value += n;
    }
    // a ticket its change says belongs here but the page lacks: the index may lag the
    // table by a moment; one more look a little later
    const shown = new Set(merged.items.map((card) => card.number));
    const missing = [...expected].filter((n) => !shown.has(n) && !state.retried.has(n));
    if (missing.length) {
      for (const n of missing) state.retried.add(n);
      later(() => {
        for (const n of missing) state.changed.add(n);
        queueRefresh();
      }, 1_500);
    }
  }

  /** Remembers the first card in view (when the list is scrolled) to keep it in place. */
  function holdPlace(next) {
    const box = list.current;
    anchor.current = null;
    if (!box || box.scrollTop <= 0) return; // at the top: the new cards come into view
    const staying = new Set(next.map((card) => card.number));
    const top = box.getBoundingClientRect().top;
    for (const element of box.querySelectorAll('li[data-number]')) {
      const rect = element.getBoundingClientRect();
      const number = Number(element.dataset.number);
      if (rect.bottom > top && staying.has(number)) {
        anchor.current = { number, offset: rect.top - top };
        return;
      }
    }
  }

  useLayoutEffect(() => {
    const held = anchor.current;
    const box = list.current;
    if (!held || !box) return;
    const element = box.querySelector(`li[data-number="${held.number}"]`);
    if (element) box.scrollTop += element.getBoundingClientRect().top - box.getBoundingClientRect().top - held.offset;
    anchor.current = null;
    if (box.scrollTop <= 0) unseen.value = 0;
  }, [items.value]);

  const filtersKey = JSON.stringify(column.filters);
  useEffect(() => {
    const state = live.current;
    state.mounted = true;
    const hear = (change) => {
      if (change.ticket === null) {
        if (change.kind === 'ticket') queueRefresh(); // changes were missed: look again
        return;
      }
      const loaded = items.value.some((card) => card.number === change.ticket);
      const userId = me.value?.user.id;
      if (!mayShow(column, change, { loaded, userId })) return;
      state.changed.add(change.ticket);
      if (loaded && !mayShow(column, change, { loaded: false, userId })) {
        state.gone.add(change.ticket);
      } else {
        state.gone.delete(change.ticket);
        if (!loaded) state.expected.add(change.ticket);
      }
      queueRefresh();
    };
    hearers.add(hear);
    return () => {
      hearers.delete(hear);
      state.mounted = false;
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
    };
  }, [column.id, filtersKey]);

  function showNew() {
    unseen.value = 0;
    list.current?.scrollTo({ top: 0, behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    requestAnimationFrame(() => list.current?.querySelector('li[data-number] a')?.focus({ preventScroll: true }));
  }

  // the next page when the end of the list comes near (observed again after each page,
  // so a short page whose end is still in view asks for the one after it)
  useEffect(() => {
    if (done.value || failed.value || loading.value || !sentinel.current) return undefined;
    const observer = new IntersectionObserver(
      (entries) => entries.some((e) => e.isIntersecting) && load(),
      { root: list.current, rootMargin: '0px 0px 240px 0px' },
    );
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [items.value, done.value, failed.value, loading.value]);

  const name = column.name;
  const headingId = `column-${column.id}`;
  const toggles = column.toggles;
  const empty = done.value && !items.value.length && !failed.value;
  return html`<section class="column" aria-labelledby=${headingId} data-column=${column.id}>
    <header class="column__head">
      <div class="column__titles">
        <h2 class="column__name" id=${headingId} tabindex="-1">${name}</h2>
        <span class="column__kind">${t(`column.kind.${column.kind}`)}${items.value.length ? ` · ${items.value.length}${done.value ? '' : '+'}` : ''}</span>
      </div>
      ${manage &&
      html`<div class="column__actions">
        <button type="button" class="icon-button icon-button--sm" id=${`move-left-${column.id}`} disabled=${index === 0} aria-label=${t('column.moveLeft', { name })} title=${t('column.moveLeft', { name })} onClick=${() => onMove(column, -1)}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M14.5 6l-6 6 6 6" /></svg>
        </button>
        <button type="button" class="icon-button icon-button--sm" id=${`move-right-${column.id}`} disabled=${index === count - 1} aria-label=${t('column.moveRight', { name })} title=${t('column.moveRight', { name })} onClick=${() => onMove(column, 1)}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M9.5 6l6 6-6 6" /></svg>
        </button>
        <button type="button" class="icon-button icon-button--sm icon-button--danger" aria-label=${t('column.remove', { name })} title=${t('column.remove', { name })} onClick=${() => onRemove(column)}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M5 7h14M10 7V5h4v2M7 7l1 12h8l1-12M10.5 10.5v5M13.5 10.5v5" /></svg>
        </button>
      </div>`}
    </header>
    <${FilterChips} column=${column} />
    <p class="visually-hidden" role="status">${news.value}</p>
    <div
      class="column__list"
      ref=${list}
      tabindex="0"
      role="region"
      aria-label=${t('column.list', { name })}
      aria-busy=${loading.value ? 'true' : 'false'}
      onScroll=${(event) => unseen.value && event.currentTarget.scrollTop <= 4 && (unseen.value = 0)}
    >
      ${unseen.value > 0 &&
      html`<div class="live-more">
        <button type="button" class="live-more__button" onClick=${showNew}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 19V5M6 11l6-6 6 6" /></svg>
          ${unseen.value === 1 ? t('live.newOne') : t('live.newMany', { n: unseen.value })}
        </button>
      </div>`}
      ${items.value.length > 0 &&
      html`<ul class="cards">
        ${items.value.map((card) => html`<${Card} key=${card.number} card=${card} kind=${column.kind} toggles=${toggles} fresh=${fresh.value.has(card.number)} />`)}
      </ul>`}
      ${empty &&
      html`<div class="column__empty">
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 13l2.5-7h11L20 13v5H4zM4 13h4.5l1 2h5l1-2H20" /></svg>
        <p class="column__empty-title">${t('column.emptyTitle')}</p>
        <p>${t('column.emptyText')}</p>
      </div>`}
      ${failed.value &&
      html`<div class="column__error">
        <${Alert}>${failed.value}</${Alert}>
        <${Button} type="button" variant="secondary" onClick=${() => load(!items.value.length)}>${t('column.retry')}</${Button}>
      </div>`}
      ${loading.value &&
      html`<div class="column__loading" role="status">
        <span class="spinner" aria-hidden="true"></span>${items.value.length ? t('column.loadingMore') : t('app.loading')}
      </div>`}
      ${!done.value && !failed.value && !loading.value &&
      html`<div class="column__more" ref=${sentinel}>
        <button type="button" class="link-button" onClick=${() => load()}>${t('column.more')}</button>
      </div>`}
      ${done.value && items.value.length > 0 && html`<p class="column__end">${t('column.end')}</p>`}
    </div>
    <footer class="column__foot" role="group" aria-label=${t('column.display', { name })}>
      ${TOGGLES.map(
        (key) => html`<button
          type="button"
          class="toggle"
          aria-pressed=${toggles[key] ? 'true' : 'false'}
          aria-label=${t(`toggle.${key}`)}
          title=${t(`toggle.${key}`)}
          disabled=${!manage}
          onClick=${() => onToggle(column, key)}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${TOGGLE_ICONS[key]} /></svg>
        </button>`,
      )}
    </footer>
  </section>`;
}

// --- the first-login modal --------------------------------------------------------------
/** The board's order saves, one after the other. */
let saving = Promise.resolve();

const WELCOMED = 'atiende.welcomed';

function welcomed(userId) {
  try {
    return (localStorage.getItem(WELCOMED) || '').split(' ').includes(userId);
  } catch {
    return false;
  }
}

function rememberWelcomed(userId) {
  try {
    localStorage.setItem(WELCOMED, `${localStorage.getItem(WELCOMED) || ''} ${userId}`.trim());
  } catch {
    // private mode: shown again next time
  }
}

function WelcomeDialog({ onClose }) {
  return html`<${Dialog}
    title=${t('welcome.title')}
    description=${t('welcome.text')}
    onClose=${onClose}
    size="lg"
    footer=${html`<${Button} type="button" variant="secondary" onClick=${onClose}>${t('welcome.later')}</${Button}>`}
  >
    <ul class="channel-grid">
      ${CHANNEL_TYPES.map(
        (type) => html`<li>
          <${Link} class="channel-tile" href=${connectPage(type)} aria-label=${t('welcome.connect', { channel: channelName(type) })}>
            <${ChannelIcon} type=${type} size="lg" decorative />
            <span class="channel-tile__name">${channelName(type)}</span>
            <span class="channel-tile__action" aria-hidden="true">${t('welcome.connectShort')}</span>
          </${Link}>
        </li>`,
      )}
    </ul>
    <p class="dialog__note">${t('welcome.note')}</p>
  </${Dialog}>`;
}

// --- the board --------------------------------------------------------------------------
function EmptyBoard({ manage, onNew }) {
  const { user, tenant } = me.value;
  const plan = tenant.plan === 'free' ? t('board.plan.free') : tenant.plan;
  return html`<section class="empty" aria-labelledby="empty-title">
    <div class="empty__art" aria-hidden="true">
      ${[0, 1, 2].map(
        (column) => html`<div class="empty__column">
          <span class="empty__bar"></span>
          ${[0, 1, 2].slice(0, 3 - (column % 2)).map(() => html`<span class="empty__card"><span></span><span></span></span>`)}
        </div>`,
      )}
    </div>
    <h2 class="empty__title" id="empty-title">${t('board.emptyTitle')}</h2>
    <p class="empty__text">${manage ? t('board.emptyText') : t('board.emptyTextReadOnly')}</p>
    ${manage && html`<div class="empty__action"><${Button} type="button" onClick=${onNew}>${t('board.new')}</${Button}></div>`}
    <dl class="facts">
      <div><dt>${t('board.company')}</dt><dd>${tenant.name}</dd></div>
      <div><dt>${t('board.plan')}</dt><dd>${plan}</dd></div>
      <div><dt>${t('board.role')}</dt><dd>${t(`role.${user.role}`)}</dd></div>
      <div><dt>${t('board.timezone')}</dt><dd>${tenant.timezone.replaceAll('_', ' ')}</dd></div>
    </dl>
  </section>`;
}

export function BoardScreen() {
  useTitle(t('board.title'));
  const { user } = me.value;
  const clock = useCompanyClock();
  const reads = can('tickets.read');
  const manage = can('columns.manage');
  const columns = useSignal(null);
  const problem = useSignal(null);
  const dialog = useSignal(null); // 'new' | 'welcome' | {remove: column}
  const removing = useSignal(false);
  // one subscription for the board, from its first moment (before its columns load: a
  // change made meanwhile is heard, not lost), handed to each column
  const hearers = useRef(new Set()).current;
  useEffect(() => (reads ? onChange((change) => hearers.forEach((hear) => hear(change))) : undefined), []);

  useEffect(() => {
    if (reads) {
      api('GET', '/v1/columns').then(
        (list) => (columns.value = list.items),
        (error) => {
          columns.value = [];
          problem.value = errorText(error);
        },
      );
      loadUsers();
    }
    loadChannels().then((list) => {
      if (can('channels.manage') && !welcomed(user.id) && list?.length === 0 && !dialog.value) {
        dialog.value = 'welcome';
      }
    });
  }, []);

  const focusSoon = (id) => requestAnimationFrame(() => document.getElementById(id)?.focus());

  function move(column, step) {
    const list = columns.value;
    const from = list.findIndex((c) => c.id === column.id);
    const to = from + step;
    if (to < 0 || to >= list.length) return;
    const next = [...list];
    [next[from], next[to]] = [next[to], next[from]];
    columns.value = next;
    problem.value = null;
    const atEdge = to === 0 || to === next.length - 1;
    const side = step < 0 ? 'left' : 'right';
    focusSoon(`move-${atEdge ? (side === 'left' ? 'right' : 'left') : side}-${column.id}`);
    // one save at a time, in the order of the moves (each names the whole order)
    const ids = next.map((c) => c.id);
    saving = saving
      .then(() => api('PUT', '/v1/columns/order', { ids }))
      .catch((error) => {
        columns.value = list;
        problem.value = errorText(error);
      });
  }

  async function remove(column) {
    removing.value = true;
    try {
      await api('DELETE', `/v1/columns/${column.id}`);
      columns.value = columns.value.filter((c) => c.id !== column.id);
      dialog.value = null;
      problem.value = null;
      focusSoon('new-column');
    } catch (error) {
      dialog.value = null;
      problem.value = errorText(error);
    } finally {
      removing.value = false;
    }
  }

  async function toggle(column, key) {
    const toggles = { [key]: !column.toggles[key] };
    const replace = (changed) => (columns.value = columns.value.map((c) => (c.id === column.id ? changed : c)));
    replace({ ...column, toggles: { ...column.toggles, ...toggles } });
    try {
      const saved = await api('PATCH', `/v1/columns/${column.id}`, { toggles });
      replace({ ...column, toggles: saved.toggles });
    } catch (error) {
      replace(column);
      problem.value = errorText(error);
    }
  }

  const list = columns.value;
  const current = dialog.value;
  return html`<div class="app app--board">
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <${AppHeader} />
    <main id="main" class="app__main app__main--board">
      <div class="board-head">
        <div>
          <${ScreenTitle}>${t('board.title')}</${ScreenTitle}>
          <p class="board-head__greeting">${t('board.greeting', { name: user.first_name })} · <span class="board-head__clock">${clock}</span></p>
        </div>
        ${manage &&
        list?.length > 0 &&
        html`<${Button} type="button" id="new-column" onClick=${() => (dialog.value = 'new')}>
          <svg class="button__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 5v14M5 12h14" /></svg>
          ${t('board.new')}
        </${Button}>`}
      </div>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      ${reads && list === null && html`<div class="board-loading" role="status"><span class="spinner spinner--large" aria-hidden="true"></span><span class="visually-hidden">${t('app.loading')}</span></div>`}
      ${(!reads || list?.length === 0) && html`<${EmptyBoard} manage=${manage && reads} onNew=${() => (dialog.value = 'new')} />`}
      ${list?.length > 0 &&
      html`<div class="board" role="list" aria-label=${t('board.columns')}>
        ${list.map(
          (column, index) => html`<div role="listitem" class="board__slot" key=${column.id}>
            <${Column}
              column=${column}
              index=${index}
              count=${list.length}
              manage=${manage}
              hearers=${hearers}
              onMove=${move}
              onRemove=${(c) => (dialog.value = { remove: c })}
              onToggle=${toggle}
            />
          </div>`,
        )}
      </div>`}
    </main>
    ${current === 'welcome' &&
    html`<${WelcomeDialog}
      onClose=${() => {
        rememberWelcomed(user.id);
        dialog.value = null;
      }}
    />`}
    ${current === 'new' &&
    html`<${ColumnDialog}
      onClose=${() => (dialog.value = null)}
      onCreated=${(column) => {
        columns.value = [...(columns.value || []), column];
        dialog.value = null;
        focusSoon(`column-${column.id}`);
      }}
    />`}
    ${current?.remove &&
    html`<${Dialog}
      title=${t('column.removeTitle', { name: current.remove.name })}
      description=${t('column.removeText')}
      size="sm"
      onClose=${() => (dialog.value = null)}
      footer=${html`
        <${Button} type="button" variant="secondary" autofocus onClick=${() => (dialog.value = null)}>${t('dialog.cancel')}</${Button}>
        <${Button} type="button" variant="danger" busy=${removing.value} onClick=${() => remove(current.remove)}>${t('column.removeConfirm')}</${Button}>
      `}
    />`}
  </div>`;
}
