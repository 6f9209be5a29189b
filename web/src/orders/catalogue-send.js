// "Enviar catálogo" in the reply box (issue 15, item 7): a dialog to search the active
// products, choose 1 to 30 (the choice survives new searches) and send them with an
// optional text; the API answers with the outgoing message, shown in the conversation as
// a reply is (its delivery state follows as the outbound worker sends it).
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Alert, Button, Dialog, useId } from '../ui.js';
import { formatMoney } from './money.js';

/** The most products one message carries (POST /v1/tickets/{n}/catalogue). */
export const MAX_PRODUCTS = 30;
const PAGE = 20;

function CatalogueIcon() {
  return html`<svg class="ticon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path d="M5 8h14l-1 12H6zM9 8V6.5a3 3 0 0 1 6 0V8" />
  </svg>`;
}

function Thumbnail({ product }) {
  return product.image_url
    ? html`<img class="tcatalogue__thumb" src=${product.image_url} alt="" loading="lazy" width="44" height="44" />`
    : html`<span class="tcatalogue__thumb tcatalogue__thumb--none" aria-hidden="true"><${CatalogueIcon} /></span>`;
}

function sendLabel(n) {
  if (n === 0) return t('catalogue.sendNone');
  return n === 1 ? t('catalogue.sendOne') : t('catalogue.send', { n });
}

function CatalogueDialog({ ticket, onClose, onSent }) {
  const query = useSignal('');
  const found = useSignal(null);
  const cursor = useSignal(null);
  const searching = useSignal(false);
  const chosen = useSignal([]); // the products chosen, in the order they were
  const text = useSignal('');
  const busy = useSignal(false);
  const problem = useSignal(null);
  const ids = useId('catalogue');
  const asked = useRef(0); // only the latest search's answer is shown

  async function search(more = false) {
    const q = query.value.trim();
    const mine = ++asked.current;
    searching.value = true;
    try {
      const after = more ? `&cursor=${encodeURIComponent(cursor.value)}` : '';
      const page = q
        ? await api('GET', `/v1/products?active=true&limit=${PAGE}&q=${encodeURIComponent(q)}${after}`)
        : await api('GET', `/v1/products?active=true&limit=${PAGE}${after}`);
      if (mine !== asked.current) return;
      found.value = more ? [...found.value, ...page.items.filter((p) => !found.value.some((f) => f.id === p.id))] : page.items;
      cursor.value = page.next_cursor;
    } catch (error) {
      if (mine !== asked.current) return;
      found.value ??= [];
      problem.value = errorText(error);
    } finally {
      if (mine === asked.current) searching.value = false;
    }
  }

  useEffect(() => {
    const timer = setTimeout(() => search(), query.value ? 250 : 0);
    return () => clearTimeout(timer);
  }, [query.value]);

  const isChosen = (product) => chosen.value.some((p) => p.id === product.id);
  const full = chosen.value.length >= MAX_PRODUCTS;
  function toggle(product, on) {
    problem.value = null;
    if (on && !isChosen(product) && !full) chosen.value = [...chosen.value, product];
    if (!on) chosen.value = chosen.value.filter((p) => p.id !== product.id);
  }

  async function send() {
    if (!chosen.value.length) {
      problem.value = t('catalogue.pickOne');
      return;
    }
    busy.value = true;
    problem.value = null;
    try {
      const message = await api('POST', `/v1/tickets/${ticket.number}/catalogue`, {
        product_ids: chosen.value.map((p) => p.id),
        text: text.value.trim() || undefined,
      });
      onSent(message);
    } catch (error) {
      problem.value = errorText(error, 'catalogue');
      busy.value = false;
    }
  }

  const list = found.value;
  const n = chosen.value.length;
  return html`<${Dialog}
    title=${t('catalogue.title')}
    description=${t('catalogue.text', { max: MAX_PRODUCTS })}
    size="lg"
    onClose=${onClose}
    footer=${html`
      <span class="tcatalogue__count" role="status">${t('catalogue.chosen', { n, max: MAX_PRODUCTS })}</span>
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${Button} type="button" busy=${busy.value} onClick=${send}>${sendLabel(n)}</${Button}>
    `}
  >
    <div class="field">
      <label class="field__label" for=${`${ids}-q`}>${t('catalogue.search')}</label>
      <input id=${`${ids}-q`} class="field__input" type="search" autocomplete="off" value=${query.value} aria-describedby=${`${ids}-hint`}
        onInput=${(e) => (query.value = e.currentTarget.value)} />
      <p class="field__hint" id=${`${ids}-hint`}>${t('catalogue.searchHint')}</p>
    </div>
    ${n > 0 &&
    html`<ul class="tcatalogue__chosen" aria-label=${t('catalogue.chosenList')}>
      ${chosen.value.map(
        (p) => html`<li class="tcatalogue__chip">
          <span>${p.name}</span>
          <button type="button" class="icon-button icon-button--sm" aria-label=${t('catalogue.remove', { name: p.name })} title=${t('catalogue.remove', { name: p.name })} onClick=${() => toggle(p, false)}>
            <svg class="ticon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
          </button>
        </li>`,
      )}
    </ul>`}
    ${full && html`<p class="tpanel__note" role="status">${t('catalogue.full', { max: MAX_PRODUCTS })}</p>`}
    ${list === null && html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`}
    ${list?.length === 0 && !searching.value && html`<p class="tpanel__empty" role="status">${query.value.trim() ? t('catalogue.none') : t('catalogue.empty')}</p>`}
    ${list?.length > 0 &&
    html`<fieldset class="tcatalogue" aria-busy=${searching.value ? 'true' : 'false'}>
      <legend class="visually-hidden">${t('catalogue.products')}</legend>
      ${list.map((product) => {
        const on = isChosen(product);
        return html`<label key=${product.id} class=${`tcatalogue__item${on ? ' tcatalogue__item--on' : ''}${!on && full ? ' tcatalogue__item--off' : ''}`}>
          <input type="checkbox" checked=${on} disabled=${!on && full} onChange=${(e) => toggle(product, e.currentTarget.checked)} />
          <${Thumbnail} product=${product} />
          <span class="tcatalogue__what">
            <span class="tcatalogue__name">${product.name}</span>
            ${product.sku && html`<span class="tcatalogue__sku">${t('catalogue.sku', { sku: product.sku })}</span>`}
          </span>
          <span class="tcatalogue__price">${formatMoney(product.price, product.currency)}</span>
        </label>`;
      })}
    </fieldset>`}
    ${cursor.value && html`<button type="button" class="link-button" disabled=${searching.value} onClick=${() => search(true)}>${t('catalogue.more')}</button>`}
    <div class="field tcatalogue__message">
      <label class="field__label" for=${`${ids}-text`}>${t('catalogue.message')}</label>
      <textarea id=${`${ids}-text`} class="field__input" rows="2" maxlength="1024" value=${text.value} onInput=${(e) => (text.value = e.currentTarget.value)}></textarea>
    </div>
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
  </${Dialog}>`;
}

/** The reply box's button and its dialog; ``onSent(message)`` with the outgoing message. */
export function CatalogueButton({ ticket, onSent }) {
  const open = useSignal(false);
  return html`<button type="button" class="icon-button" aria-label=${t('catalogue.open')} title=${t('catalogue.open')} aria-haspopup="dialog" onClick=${() => (open.value = true)}>
      <${CatalogueIcon} />
    </button>
    ${open.value &&
    html`<${CatalogueDialog}
      ticket=${ticket}
      onClose=${() => (open.value = false)}
      onSent=${(message) => {
        open.value = false;
        onSent(message);
      }}
    />`}`;
}
