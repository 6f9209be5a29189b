// Small pieces the administration pages share: loading a resource, a section card, a
// table, a status badge, an empty state and a confirmation dialog.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { can } from '../session.js';
import { Alert, Button, Dialog } from '../ui.js';

/** ``read()`` — a function making its own api('GET', ...) call, so the contract test sees
 * the path — now, again when ``key`` changes, and on ``reload()``; ``key`` null: nothing
 * is read. ``{data, error, loading, reload}``; ``data`` keeps the last good answer while a
 * reload runs. */
export function useLoad(read, key = '') {
  const state = useSignal({ data: null, error: null, loading: key != null });
  const tick = useSignal(0);
  useEffect(() => {
    if (key == null) return undefined;
    let live = true;
    state.value = { ...state.value, loading: true };
    read().then(
      (data) => live && (state.value = { data, error: null, loading: false }),
      (error) => live && (state.value = { data: state.value.data, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick.value]);
  return { ...state.value, reload: () => (tick.value += 1) };
}

/** Every page of a cursor-paged list (``items`` and ``next_cursor``), up to ``max`` items. */
export async function readAll(path, max = 500) {
  const items = [];
  let cursor = null;
  do {
    const join = path.includes('?') ? '&' : '?';
    const page = await api('GET', cursor ? `${path}${join}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** What a page shows while its first read is under way, or when it failed. */
export function Loading({ error, onRetry }) {
  if (error) {
    return html`<${Alert} title=${t('admin.loadFailed')}>
      <p>${errorText(error)}</p>
      ${onRetry && html`<p><button type="button" class="button button--secondary" onClick=${onRetry}>${t('admin.retry')}</button></p>`}
    </${Alert}>`;
  }
  return html`<div class="admin-loading" role="status"><span class="spinner" aria-hidden="true"></span>${t('admin.loading')}</div>`;
}

/** A card of a page: a heading, optional actions beside it, its content. */
export function Section({ title, actions, children, id, class: extra = '' }) {
  const headingId = id ? `${id}-title` : undefined;
  return html`<section class=${`admin-card ${extra}`} aria-labelledby=${headingId} id=${id}>
    <div class="admin-card__head">
      <h2 class="admin-card__title" id=${headingId}>${title}</h2>
      ${actions && html`<div class="admin-card__actions">${actions}</div>`}
    </div>
    <div class="admin-card__body">${children}</div>
  </section>`;
}

/** A badge: tone is one of ok, warn, danger, neutral, info. */
export function Badge({ tone = 'neutral', children, title }) {
  return html`<span class=${`badge badge--${tone}`} title=${title}>${children}</span>`;
}

export function EmptyState({ title, text, action }) {
  return html`<div class="admin-empty">
    <p class="admin-empty__title">${title}</p>
    ${text && html`<p class="admin-empty__text">${text}</p>`}
    ${action}
  </div>`;
}

/** Asks before an action that cannot be undone; ``onConfirm`` may be async (its error is shown). */
export function ConfirmDialog({ title, text, confirmLabel, danger = true, onConfirm, onClose }) {
  const busy = useSignal(false);
  const error = useSignal(null);
  const go = async () => {
    busy.value = true;
    error.value = null;
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      error.value = errorText(failure);
      busy.value = false;
    }
  };
  return html`<${Dialog}
    title=${title}
    description=${text}
    size="sm"
    onClose=${onClose}
    footer=${html`
      <button type="button" class="button button--secondary" onClick=${onClose}>${t('admin.cancel')}</button>
      <${Button} type="button" variant=${danger ? 'danger' : 'primary'} busy=${busy.value} onClick=${go}>${confirmLabel}</${Button}>
    `}
  >
    ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
  </${Dialog}>`;
}

/** "Historial": who changed a configuration item, when, and each field before and after
 * (GET <item>/history, for roles with history.read). ``path`` is the item's history route. */
export function HistoryButton({ path, label }) {
  const open = useSignal(false);
  return html`
    <button type="button" class="button button--secondary" aria-label=${label ? t('admin.history.title', { name: label }) : undefined} onClick=${() => (open.value = true)}>
      ${t('admin.history.open')}
    </button>
    ${open.value && html`<${HistoryDialog} path=${path} label=${label} onClose=${() => (open.value = false)} />`}
  `;
}

function shown(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('admin.history.yes') : t('admin.history.no');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function actionName(action) {
  const key = `admin.history.action.${action}`;
  const said = t(key);
  return said === key ? action : said;
}

function HistoryDialog({ path, label, onClose }) {
  const names = useSignal({});
  useEffect(() => {
    if (!can('users.read')) return;
    readAll('/v1/users').then(
      (users) => (names.value = Object.fromEntries(users.map((u) => [u.id, `${u.first_name} ${u.last_name}`]))),
      () => {},
    );
  }, []);
  const state = useSignal({ items: [], next: null, loading: true, error: null });
  const load = async (cursor) => {
    state.value = { ...state.value, loading: true };
    try {
      const page = await api('GET', cursor ? `${path}?cursor=${encodeURIComponent(cursor)}` : path);
      state.value = { items: [...state.value.items, ...page.items], next: page.next_cursor, loading: false, error: null };
    } catch (error) {
      state.value = { ...state.value, loading: false, error };
    }
  };
  useEffect(() => {
    load(null);
  }, [path]);
  const { items, next, loading, error } = state.value;
  return html`<${Dialog} title=${t('admin.history.title', { name: label })} onClose=${onClose} size="lg">
    ${error && html`<${Alert}>${errorText(error)}</${Alert}>`}
    ${!loading && !error && !items.length && html`<${EmptyState} title=${t('admin.history.empty')} />`}
    <ol class="history-list">
      ${items.map(
        (entry) => html`<li class="history-list__item">
          <p class="history-list__head">
            <strong>${actionName(entry.action)}</strong>
            <span class="history-list__when">${formatDateTime(entry.at)}</span>
            <span class="history-list__who">${entry.actor_id ? t('admin.history.by', { name: names.value[entry.actor_id] || t('admin.history.someone') }) : t('admin.history.system')}</span>
          </p>
          ${entry.after &&
          html`<dl class="history-list__fields">
            ${Object.keys({ ...(entry.before || {}), ...entry.after }).map(
              (field) => html`<dt>${field}</dt><dd>${entry.before ? html`<del>${shown(entry.before[field])}</del> → ` : ''}<ins>${shown(entry.after[field])}</ins></dd>`,
            )}
          </dl>`}
        </li>`,
      )}
    </ol>
    ${loading && html`<${Loading} />`}
    ${next && !loading && html`<button type="button" class="button button--secondary" onClick=${() => load(next)}>${t('admin.history.more')}</button>`}
  </${Dialog}>`;
}
