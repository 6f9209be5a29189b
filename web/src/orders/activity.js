// An order's comments (GET/POST /v1/orders/{number}/comments: added, never edited nor
// deleted) and its history (GET /v1/orders/{number}/history: who did what, before → after,
// when), newest first, each with "Cargar más".
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { Alert, Button, useId } from '../ui.js';
import { EmptyState, Loading, Section } from '../admin/kit.js';
import { personName, when } from './common.js';
import { formatMoney } from './money.js';

/** A cursor-paged list read by ``read(cursor)``; reread from the start when ``key`` changes. */
function usePaged(read, key) {
  const state = useSignal({ items: null, next: null, loading: true, error: null });
  const load = async (cursor) => {
    state.value = { ...state.value, loading: true, error: null };
    try {
      const page = await read(cursor);
      state.value = { items: [...(cursor ? state.value.items || [] : []), ...page.items], next: page.next_cursor, loading: false, error: null };
    } catch (error) {
      state.value = { ...state.value, loading: false, error };
    }
  };
  useEffect(() => {
    load(null);
  }, [key]);
  return { ...state.value, load };
}

function More({ list }) {
  if (!list.next) return null;
  return html`<p class="oa-more"><button type="button" class="button button--secondary" disabled=${list.loading} onClick=${() => list.load(list.next)}>${t('orders.more')}</button></p>`;
}

function Comments({ number, tick, onAdded }) {
  const text = useSignal('');
  const busy = useSignal(false);
  const failure = useSignal(null);
  const id = useId('comment');
  const list = usePaged(
    (cursor) =>
      cursor
        ? api('GET', `/v1/orders/${number}/comments?limit=20&cursor=${encodeURIComponent(cursor)}`)
        : api('GET', `/v1/orders/${number}/comments?limit=20`),
    `${number}:${tick}`,
  );
  const add = async (event) => {
    event.preventDefault();
    const said = text.value.trim();
    if (!said) return;
    busy.value = true;
    failure.value = null;
    try {
      await api('POST', `/v1/orders/${number}/comments`, { text: said });
      text.value = '';
      // the history has a new entry too: the page reloads both
      if (onAdded) onAdded();
      else list.load(null);
    } catch (error) {
      failure.value = errorText(error);
    } finally {
      busy.value = false;
    }
  };
  return html`<${Section} title=${t('orders.comments.title')} id="order-comments">
    ${can('orders.comment') &&
    html`<form class="oa-comment-form" onSubmit=${add}>
      <label class="field__label" for=${id}>${t('orders.comments.add')}</label>
      <textarea id=${id} class="field__input oa-comment-form__text" rows="2" maxlength="4000" value=${text.value}
        placeholder=${t('orders.comments.hint')} onInput=${(e) => (text.value = e.currentTarget.value)}></textarea>
      ${failure.value && html`<${Alert}>${failure.value}</${Alert}>`}
      <div class="oa-comment-form__actions">
        <${Button} busy=${busy.value} disabled=${!text.value.trim()}>${t('orders.comments.send')}</${Button}>
      </div>
    </form>`}
    ${list.items === null
      ? html`<${Loading} error=${list.error} onRetry=${() => list.load(null)} />`
      : list.items.length === 0
        ? html`<p class="oa-empty">${t('orders.comments.empty')}</p>`
        : html`<ol class="oa-comments">
            ${list.items.map(
              (comment) => html`<li key=${comment.id} class="oa-comment">
                <p class="oa-comment__head"><strong>${personName(comment.author_id ?? comment.actor_id, comment.author_name ?? comment.actor_name)}</strong>
                  <time class="oa-when" datetime=${comment.created_at ?? comment.at}>${when(comment.created_at ?? comment.at)}</time></p>
                <p class="oa-comment__text">${comment.text}</p>
              </li>`,
            )}
          </ol>`}
    <${More} list=${list} />
  </${Section}>`;
}

/** A value of the history in the product's words: statuses translated, amounts as money. */
function shown(field, value, currency) {
  if (value === null || value === undefined || value === '') return '—';
  field = field.split('.').pop();
  if (field === 'status' && typeof value === 'string') {
    const order = t(`orders.status.${value}`);
    if (order !== `orders.status.${value}`) return order;
    const payment = t(`orders.payment.status.${value}`);
    return payment === `orders.payment.status.${value}` ? value : payment;
  }
  if (field === 'payment_state') return t(`orders.state.${value}`);
  if (field === 'method') return t(`orders.method.${value}`);
  if (typeof value === 'number' && ['amount', 'total', 'paid', 'pending', 'balance'].includes(field)) return formatMoney(value, currency);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** ``{a: 1, order: {b: 2}}`` as ``{a: 1, 'order.b': 2}``: a change of the order that a
 * payment's entry carries reads like the payment's own fields. */
function flat(values, prefix = '') {
  const out = {};
  for (const [key, value] of Object.entries(values || {})) {
    if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, flat(value, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = value;
  }
  return out;
}

const empty = (value) => value === null || value === undefined || value === '';
/** Bookkeeping an entry carries that a person has no use for. */
const UNSHOWN = new Set(['comment_id', 'at', 'id', 'version', 'payment_id']);

/** What an entry changed: [field, before, after, whether it had a value before], leaving
 * out what stayed the same and, for a new thing, what it started without. */
function changes(entry) {
  const before = entry.before ? flat(entry.before) : null;
  const after = flat(entry.after);
  const found = [];
  for (const field of Object.keys({ ...(before || {}), ...after })) {
    if (UNSHOWN.has(field)) continue;
    const [was, is] = [before?.[field], after[field]];
    if (before && JSON.stringify(was) === JSON.stringify(is)) continue;
    if (!before && (empty(is) || is === 0)) continue;
    if (before && empty(was) && empty(is)) continue;
    found.push([field, was, is, Boolean(before) && field in before && !empty(was)]);
  }
  return found;
}

function fieldName(field) {
  const key = `orders.field.${field}`;
  const said = t(key);
  return said === key ? field : said;
}

function whatText(what) {
  const key = `orders.history.${what}`;
  const said = t(key);
  return said === key ? what : said;
}

function History({ number, tick, currency, payments }) {
  const list = usePaged(
    (cursor) =>
      cursor
        ? api('GET', `/v1/orders/${number}/history?limit=20&cursor=${encodeURIComponent(cursor)}`)
        : api('GET', `/v1/orders/${number}/history?limit=20`),
    `${number}:${tick}`,
  );
  return html`<${Section} title=${t('orders.history.title')} id="order-history">
    ${list.items === null
      ? html`<${Loading} error=${list.error} onRetry=${() => list.load(null)} />`
      : list.items.length === 0
        ? html`<${EmptyState} title=${t('orders.history.empty')} />`
        : html`<ol class="oa-history">
            ${list.items.map((entry) => {
              const payment = entry.payment_id ? payments.find((p) => p.id === entry.payment_id) : null;
              const fields = changes(entry);
              return html`<li key=${entry.id} class="oa-history__item">
                <p class="oa-history__head">
                  <strong>${whatText(entry.what)}</strong>
                  ${payment && html`<span class="oa-history__payment">${formatMoney(payment.amount, currency)}</span>`}
                  <span class="oa-history__who">${t('orders.byWhen', { name: personName(entry.actor_id, entry.actor_name), when: when(entry.at) })}</span>
                </p>
                ${fields.length > 0 &&
                html`<dl class="oa-history__fields">
                  ${fields.map(
                    ([field, before, after, had]) => html`<div>
                      <dt>${fieldName(field)}</dt>
                      <dd>${had ? html`<del>${shown(field, before, currency)}</del> → ` : ''}<ins>${shown(field, after, currency)}</ins></dd>
                    </div>`,
                  )}
                </dl>`}
              </li>`;
            })}
          </ol>`}
    <${More} list=${list} />
  </${Section}>`;
}

/** The comments and the history of order ``number``; ``tick`` changes after any change;
 * ``onChange`` after a comment is added. */
export function Activity({ number, tick, currency, payments, onChange }) {
  return html`<${Comments} number=${number} tick=${tick} onAdded=${onChange} />
    <${History} number=${number} tick=${tick} currency=${currency} payments=${payments || []} />`;
}
