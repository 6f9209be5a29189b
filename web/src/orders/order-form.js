// The order form (docs/orders.md "Shapes", OrderIn): a currency, lines typed freely or
// picked from the catalogue, an optional note, and the total computed live for display
// only (the server computes the real one). It knows no route: the caller sends the body.
//
// Used by the orders area ("Nueva orden", ./new-order.js) and by the ticket view's
// "Órdenes" tab. It lives in the orders chunk (./all.js, texts in i18n/orders.*.js): from
// outside the area, render it through ./load.js so neither it nor its texts weigh on the
// first screen:
//
//   import { OrdersPart } from '../orders/load.js';
//   html`<${OrdersPart} name="OrderForm" onSubmit=${...} onCancel=${...} />`
//
// Props:
//   onSubmit(body)   async; body is the OrderIn: {currency, note?, lines: [{description,
//                    quantity, unit_price, product_id?}]}, amounts in minor units. Post
//                    it (POST /v1/tickets/{n}/orders or POST /v1/orders) and return; a
//                    thrown ApiError is shown above the buttons (400 details on the lines).
//   onCancel()       optional: a "Cancelar" button is shown when given.
//   currency         optional: the initial currency (default: the language's market).
//   lines            optional: initial lines [{description, quantity, unit_price,
//                    product_id?}] (e.g. products chosen elsewhere).
//   note             optional: the initial note.
//   submitLabel      optional: the submit button's text (default "Crear orden").
//   children         optional: fields shown before the lines (the orders area puts the
//                    client picker there); they are part of the same <form>.
//   validate()       optional: returns an error text to block the submit (e.g. "choose a
//                    client"), or null.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { Alert, Button, useId } from '../ui.js';
import { SignedImage } from './image.js';
import { CURRENCIES, defaultCurrency, formatMoney, moneyInput, parseMoney } from './money.js';

const MAX_LINES = 100;
const MAX_QUANTITY = 100_000;
const MAX_PRICE = 10 ** 12;

let nextLine = 0;
function lineOf(currency, line = {}) {
  return {
    key: ++nextLine,
    description: line.description ?? '',
    quantity: String(line.quantity ?? 1),
    price: line.unit_price === undefined || line.unit_price === null ? '' : moneyInput(line.unit_price, currency),
    product_id: line.product_id ?? null,
    sku: line.sku ?? null,
  };
}

/** A line's quantity and unit price as numbers, or nulls where they are not valid. */
function valuesOf(line, currency) {
  const quantity = /^\d+$/.test(line.quantity.trim()) ? Number(line.quantity.trim()) : null;
  const price = parseMoney(line.price, currency);
  return {
    quantity: quantity !== null && quantity >= 1 && quantity <= MAX_QUANTITY ? quantity : null,
    price: price !== null && price <= MAX_PRICE ? price : null,
  };
}

function problemsOf(lines, currency) {
  return lines.map((line) => {
    const { quantity, price } = valuesOf(line, currency);
    const found = {};
    if (!line.description.trim()) found.description = t('orders.form.needDescription');
    if (quantity === null) found.quantity = t('orders.form.badQuantity', { max: MAX_QUANTITY.toLocaleString() });
    if (price === null) found.price = t('orders.form.badPrice');
    return found;
  });
}

/** The catalogue's products of ``currency`` matching what is typed; a click adds a line. */
function ProductPicker({ currency, onPick, onClose }) {
  const query = useSignal('');
  const state = useSignal({ items: null, error: null });
  const searchId = useId('pick');
  const search = async (text) => {
    query.value = text;
    try {
      const q = text.trim();
      const page = q
        ? await api('GET', `/v1/products?active=true&limit=20&q=${encodeURIComponent(q)}`)
        : await api('GET', '/v1/products?active=true&limit=20');
      if (query.value === text) state.value = { items: page.items, error: null };
    } catch (error) {
      state.value = { items: [], error };
    }
  };
  useEffect(() => {
    search('');
  }, []);
  const items = state.value.items || [];
  return html`<div class="of-picker" role="group" aria-label=${t('orders.form.pickTitle')}>
    <div class="of-picker__head">
      <label class="visually-hidden" for=${searchId}>${t('orders.form.pickSearch')}</label>
      <input id=${searchId} class="field__input" type="search" placeholder=${t('orders.form.pickSearch')} value=${query.value}
        onInput=${(e) => search(e.currentTarget.value)} autofocus />
      <button type="button" class="button button--secondary" onClick=${onClose}>${t('orders.form.pickClose')}</button>
    </div>
    ${state.value.error && html`<${Alert}>${errorText(state.value.error)}</${Alert}>`}
    ${state.value.items !== null && !items.length && html`<p class="of-picker__empty">${t('orders.form.pickNone')}</p>`}
    <ul class="of-picker__list">
      ${items.map((product) => {
        const other = product.currency !== currency;
        return html`<li key=${product.id}>
          <button type="button" class="of-picker__item" disabled=${other}
            title=${other ? t('orders.form.pickOtherCurrency', { currency: product.currency }) : undefined}
            aria-label=${t('orders.form.pickOne', { name: product.name, price: formatMoney(product.price, product.currency) })}
            onClick=${() => onPick(product)}>
            ${product.image_url
              ? html`<${SignedImage} class="of-picker__thumb" src=${product.image_url} alt="" fallback=${html`<span class="of-picker__thumb" aria-hidden="true"></span>`} />`
              : html`<span class="of-picker__thumb of-picker__thumb--none" aria-hidden="true"></span>`}
            <span class="of-picker__name">${product.name}${product.sku && html` <span class="of-muted">· ${product.sku}</span>`}</span>
            <span class="of-picker__price">${formatMoney(product.price, product.currency)}</span>
          </button>
        </li>`;
      })}
    </ul>
  </div>`;
}

/** The order form; see the props at the top of this file. */
export function OrderForm({ onSubmit, onCancel, currency: initialCurrency, lines: initialLines, note: initialNote = '', submitLabel, children, validate }) {
  const currency = useSignal(initialCurrency || defaultCurrency());
  const lines = useSignal(initialLines?.length ? initialLines.map((l) => lineOf(currency.value, l)) : [lineOf(currency.value)]);
  const note = useSignal(initialNote || '');
  const picking = useSignal(false);
  const tried = useSignal(false);
  const busy = useSignal(false);
  const failure = useSignal(null);
  const currencyId = useId('of-currency');
  const noteId = useId('of-note');

  const cur = currency.value;
  const problems = problemsOf(lines.value, cur);
  const total = lines.value.reduce((sum, line) => {
    const { quantity, price } = valuesOf(line, cur);
    return quantity !== null && price !== null ? sum + quantity * price : sum;
  }, 0);

  const change = (key, field, value) => {
    lines.value = lines.value.map((line) => (line.key === key ? { ...line, [field]: value } : line));
  };
  const remove = (key) => {
    lines.value = lines.value.filter((line) => line.key !== key);
  };
  const add = () => {
    if (lines.value.length < MAX_LINES) lines.value = [...lines.value, lineOf(cur)];
  };
  const pick = (product) => {
    const line = lineOf(cur, { description: product.name, unit_price: product.price, product_id: product.id, sku: product.sku });
    // a first, still empty line is replaced rather than left behind
    const [first, ...rest] = lines.value;
    const empty = lines.value.length === 1 && !first.description.trim() && !first.price.trim();
    lines.value = empty ? [line, ...rest] : [...lines.value, line].slice(0, MAX_LINES);
    picking.value = false;
  };
  const switchCurrency = (value) => {
    // typed prices keep their digits; a catalogue line of another currency would be refused
    currency.value = value;
    lines.value = lines.value.map((line) => (line.product_id ? { ...line, product_id: null, sku: null } : line));
  };

  const submit = async (event) => {
    event.preventDefault();
    tried.value = true;
    failure.value = null;
    const blocked = validate?.() || null;
    if (blocked) {
      failure.value = blocked;
      return;
    }
    if (!lines.value.length || problems.some((p) => Object.keys(p).length)) return;
    const body = {
      currency: cur,
      lines: lines.value.map((line) => {
        const { quantity, price } = valuesOf(line, cur);
        const out = { description: line.description.trim(), quantity, unit_price: price };
        if (line.product_id) out.product_id = line.product_id;
        return out;
      }),
    };
    if (note.value.trim()) body.note = note.value.trim();
    busy.value = true;
    try {
      await onSubmit(body);
    } catch (error) {
      failure.value = errorText(error);
    } finally {
      busy.value = false;
    }
  };

  return html`<form class="order-form" onSubmit=${submit} noValidate>
    ${children}
    <div class="order-form__top">
      <div class="field order-form__currency">
        <label class="field__label" for=${currencyId}>${t('orders.form.currency')}</label>
        <select id=${currencyId} class="field__input field__select" value=${cur} onChange=${(e) => switchCurrency(e.currentTarget.value)}>
          ${CURRENCIES.map((code) => html`<option value=${code} selected=${code === cur}>${code}</option>`)}
        </select>
      </div>
    </div>
    <div class="of-lines" role="group" aria-label=${t('orders.form.lines')}>
      <div class="of-lines__head" aria-hidden="true">
        <span>${t('orders.form.description')}</span><span>${t('orders.form.quantity')}</span><span>${t('orders.form.unitPrice')}</span><span class="of-num">${t('orders.form.lineTotal')}</span><span></span>
      </div>
      ${lines.value.map((line, index) => {
        const n = index + 1;
        const problem = tried.value ? problems[index] : {};
        const { quantity, price } = valuesOf(line, cur);
        const errorId = `of-line-${line.key}-error`;
        const said = Object.values(problem);
        return html`<div class=${`of-line${said.length ? ' of-line--invalid' : ''}`} key=${line.key}>
          <div class="of-line__description">
            <input class="field__input" type="text" maxlength="500" value=${line.description}
              aria-label=${t('orders.form.descriptionOf', { n })} aria-invalid=${problem.description ? 'true' : undefined}
              aria-describedby=${said.length ? errorId : undefined}
              placeholder=${t('orders.form.descriptionHint')} onInput=${(e) => change(line.key, 'description', e.currentTarget.value)} />
            ${line.product_id && html`<span class="of-line__product" title=${t('orders.form.fromCatalogue')}>${t('orders.form.fromCatalogue')}${line.sku ? ` · ${line.sku}` : ''}</span>`}
          </div>
          <div class="of-line__cell">
            <span class="of-line__caption" aria-hidden="true">${t('orders.form.quantity')}</span>
            <input class="field__input of-line__quantity" type="text" inputmode="numeric" value=${line.quantity}
              aria-label=${t('orders.form.quantityOf', { n })} aria-invalid=${problem.quantity ? 'true' : undefined}
              onInput=${(e) => change(line.key, 'quantity', e.currentTarget.value)} />
          </div>
          <div class="of-line__cell">
            <span class="of-line__caption" aria-hidden="true">${t('orders.form.unitPrice')}</span>
            <input class="field__input of-line__price" type="text" inputmode="decimal" value=${line.price}
              aria-label=${t('orders.form.unitPriceOf', { n, currency: cur })} aria-invalid=${problem.price ? 'true' : undefined}
              placeholder=${moneyInput(0, cur)} onInput=${(e) => change(line.key, 'price', e.currentTarget.value)} />
          </div>
          <span class="of-line__total of-num" aria-label=${t('orders.form.lineTotalOf', { n })}>
            ${quantity !== null && price !== null ? formatMoney(quantity * price, cur) : '—'}
          </span>
          <button type="button" class="icon-button of-line__remove" aria-label=${t('orders.form.removeLine', { n })} title=${t('orders.form.removeLine', { n })}
            disabled=${lines.value.length === 1} onClick=${() => remove(line.key)}>
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
          </button>
          ${said.length > 0 && html`<p class="field__error of-line__error" id=${errorId}>${said.join(' ')}</p>`}
        </div>`;
      })}
      <div class="of-lines__actions">
        <button type="button" class="button button--secondary" onClick=${add} disabled=${lines.value.length >= MAX_LINES}>${t('orders.form.addLine')}</button>
        ${can('products.read') &&
        html`<button type="button" class="button button--secondary" aria-expanded=${picking.value ? 'true' : 'false'} onClick=${() => (picking.value = !picking.value)}>
          ${t('orders.form.pick')}
        </button>`}
      </div>
      ${picking.value && html`<${ProductPicker} currency=${cur} onPick=${pick} onClose=${() => (picking.value = false)} />`}
    </div>
    <div class="field">
      <label class="field__label" for=${noteId}>${t('orders.form.note')}</label>
      <textarea id=${noteId} class="field__input of-note" maxlength="1000" rows="2" value=${note.value} onInput=${(e) => (note.value = e.currentTarget.value)}></textarea>
    </div>
    <p class="of-total" aria-live="polite">
      <span>${t('orders.form.total')}</span>
      <strong data-testid="order-form-total">${formatMoney(total, cur)}</strong>
    </p>
    <p class="of-muted of-total__hint">${t('orders.form.totalHint')}</p>
    ${failure.value && html`<${Alert}>${failure.value}</${Alert}>`}
    <div class="admin-form__actions">
      ${onCancel && html`<button type="button" class="button button--secondary" onClick=${onCancel}>${t('orders.form.cancel')}</button>`}
      <${Button} busy=${busy.value}>${submitLabel || t('orders.form.create')}</${Button}>
    </div>
  </form>`;
}
