// "Catálogo": the company's products (GET /v1/products): image, name, SKU, price in its
// currency's format, active or not; a search by name or SKU prefix and "Ver inactivos".
// Roles with products.manage add, edit (with an image, uploaded through POST
// /v1/attachments), switch on and off and remove products; the others read.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { tell } from '../notice.js';
import { can } from '../session.js';
import { Alert, Button, Dialog, Field, useId } from '../ui.js';
import { ConfirmDialog, EmptyState, Loading } from '../admin/kit.js';
import { OrdersPage, upload } from './common.js';
import { CURRENCIES, defaultCurrency, formatMoney, moneyInput, parseMoney } from './money.js';
import { SignedImage } from './image.js';
import { IMAGE_ACCEPT } from './upload.js';

const PAGE = 50;

function Thumb({ product, size = 'md' }) {
  const none = html`<span class=${`pc-thumb pc-thumb--${size} pc-thumb--none`} aria-hidden="true">
    <svg viewBox="0 0 24 24" focusable="false"><rect x="4" y="5" width="16" height="14" rx="2" /><circle cx="9" cy="10" r="1.6" /><path d="M5 17l4.5-4.5 3 3 2.5-2.5L19 17" /></svg>
  </span>`;
  if (!product.image_url) return none;
  return html`<${SignedImage} class=${`pc-thumb pc-thumb--${size}`} src=${product.image_url} alt=${t('orders.catalogue.imageOf', { name: product.name })} fallback=${none} />`;
}

/** Add or edit a product; ``product`` null for a new one. */
function ProductDialog({ product, onClose, onSaved }) {
  const currency = useSignal(product?.currency || defaultCurrency());
  const form = useSignal({
    name: product?.name || '',
    description: product?.description || '',
    price: product ? moneyInput(product.price, product.currency) : '',
    sku: product?.sku || '',
    active: product ? product.active : true,
  });
  // the image: kept as it is, a new upload, or removed
  const image = useSignal({ state: product?.image ? 'kept' : 'none', file: null, preview: product?.image_url || null, name: product?.image?.name || '' });
  const tried = useSignal(false);
  const busy = useSignal(false);
  const failure = useSignal(null);
  const fileId = useId('pc-image');
  const currencyId = useId('pc-currency');
  const descriptionId = useId('pc-description');
  const preview = useRef(null);
  useEffect(() => () => preview.current && URL.revokeObjectURL(preview.current), []);

  const set = (field) => (value) => (form.value = { ...form.value, [field]: value });
  const price = parseMoney(form.value.price, currency.value);
  const problems = {
    name: form.value.name.trim() ? null : t('orders.catalogue.needName'),
    price: price === null ? t('orders.form.badPrice') : null,
  };
  const choose = async (file) => {
    if (!file) return;
    if (preview.current) URL.revokeObjectURL(preview.current);
    preview.current = URL.createObjectURL(file);
    image.value = { state: 'uploading', file: null, preview: preview.current, name: file.name };
    try {
      image.value = { state: 'new', file: await upload(file), preview: preview.current, name: file.name };
    } catch (error) {
      image.value = { state: 'failed', file: null, preview: null, name: file.name, error: errorText(error) };
    }
  };
  const save = async (event) => {
    event.preventDefault();
    tried.value = true;
    if (problems.name || problems.price || image.value.state === 'uploading') return;
    const body = {
      name: form.value.name.trim(),
      description: form.value.description.trim(),
      price,
      currency: currency.value,
      sku: form.value.sku.trim() || null,
      active: form.value.active,
    };
    if (image.value.state === 'new') body.image = image.value.file;
    else if (image.value.state === 'none' && product?.image) body.image = null;
    busy.value = true;
    failure.value = null;
    try {
      if (product) await api('PATCH', `/v1/products/${product.id}`, body);
      else await api('POST', '/v1/products', body);
      tell(t(product ? 'orders.catalogue.saved' : 'orders.catalogue.added', { name: body.name }));
      onSaved();
      onClose();
    } catch (error) {
      failure.value = error.code === 'conflict' || error.status === 409 ? t('orders.catalogue.skuTaken') : errorText(error);
      busy.value = false;
    }
  };
  return html`<${Dialog} title=${product ? t('orders.catalogue.editTitle', { name: product.name }) : t('orders.catalogue.add')} onClose=${onClose}>
    <form class="admin-form pc-form" onSubmit=${save} noValidate>
      <${Field} label=${t('orders.catalogue.name')} value=${form.value.name} maxlength="200" onInput=${set('name')} error=${tried.value ? problems.name : null} />
      <div class="field">
        <label class="field__label" for=${descriptionId}>${t('orders.catalogue.description')}</label>
        <textarea id=${descriptionId} class="field__input" rows="3" maxlength="2000" value=${form.value.description} onInput=${(e) => set('description')(e.currentTarget.value)}></textarea>
      </div>
      <div class="pc-form__row">
        <div class="field pc-form__currency">
          <label class="field__label" for=${currencyId}>${t('orders.form.currency')}</label>
          <select id=${currencyId} class="field__input field__select" value=${currency.value} onChange=${(e) => (currency.value = e.currentTarget.value)}>
            ${CURRENCIES.map((code) => html`<option value=${code} selected=${code === currency.value}>${code}</option>`)}
          </select>
        </div>
        <${Field} label=${t('orders.catalogue.price')} value=${form.value.price} inputmode="decimal" onInput=${set('price')}
          error=${tried.value ? problems.price : null} hint=${price !== null ? formatMoney(price, currency.value) : null} />
      </div>
      <${Field} label=${t('orders.catalogue.skuOptional')} required=${false} maxlength="64" value=${form.value.sku} onInput=${set('sku')} hint=${t('orders.catalogue.skuHint')} />
      <div class="field">
        <span class="field__label" id=${`${fileId}-label`}>${t('orders.catalogue.image')}</span>
        <div class="pc-image">
          ${image.value.preview
            ? image.value.preview.startsWith('blob:')
              ? html`<img class="pc-thumb pc-thumb--lg" src=${image.value.preview} alt=${t('orders.catalogue.imagePreview')} />`
              : html`<${SignedImage} class="pc-thumb pc-thumb--lg" src=${image.value.preview} alt=${t('orders.catalogue.imagePreview')} />`
            : html`<span class="pc-thumb pc-thumb--lg pc-thumb--none" aria-hidden="true"></span>`}
          <div class="pc-image__tools">
            <label class="button button--secondary pc-image__pick" for=${fileId}>${image.value.preview ? t('orders.catalogue.imageChange') : t('orders.catalogue.imageChoose')}</label>
            <input id=${fileId} type="file" class="visually-hidden" accept=${IMAGE_ACCEPT} aria-labelledby=${`${fileId}-label`}
              onChange=${(e) => choose(e.currentTarget.files[0])} />
            ${image.value.preview &&
            html`<button type="button" class="button button--quiet" onClick=${() => (image.value = { state: 'none', file: null, preview: null, name: '' })}>${t('orders.catalogue.imageRemove')}</button>`}
            <p class="field__hint" role="status">
              ${image.value.state === 'uploading' ? t('orders.upload.uploading', { name: image.value.name }) : ''}
              ${image.value.state === 'new' ? t('orders.upload.done', { name: image.value.name }) : ''}
            </p>
            ${image.value.error && html`<p class="field__error">${image.value.error}</p>`}
          </div>
        </div>
      </div>
      <label class="pc-check"><input type="checkbox" checked=${form.value.active} onChange=${(e) => set('active')(e.currentTarget.checked)} />${t('orders.catalogue.activeLabel')}</label>
      ${failure.value && html`<${Alert}>${failure.value}</${Alert}>`}
      <div class="admin-form__actions">
        <button type="button" class="button button--secondary" onClick=${onClose}>${t('orders.form.cancel')}</button>
        <${Button} busy=${busy.value} disabled=${image.value.state === 'uploading'}>${product ? t('orders.catalogue.save') : t('orders.catalogue.addButton')}</${Button}>
      </div>
    </form>
  </${Dialog}>`;
}

function ProductRow({ product, manage, onEdit, onChanged }) {
  const busy = useSignal(false);
  const removing = useSignal(false);
  const toggle = async () => {
    busy.value = true;
    try {
      await api('PATCH', `/v1/products/${product.id}`, { active: !product.active });
      onChanged();
    } catch (error) {
      tell(errorText(error), 'error');
    } finally {
      busy.value = false;
    }
  };
  return html`<tr>
    <td class="pc-cell-thumb"><${Thumb} product=${product} size="sm" /></td>
    <td data-label=${t('orders.catalogue.name')}>
      <strong class="pc-name">${product.name}</strong>
      ${product.description && html`<div class="admin-table__muted pc-description">${product.description}</div>`}
    </td>
    <td data-label=${t('orders.catalogue.sku')} class="pc-sku">${product.sku || html`<span class="admin-table__muted">—</span>`}</td>
    <td data-label=${t('orders.catalogue.price')} class="ol-num"><strong>${formatMoney(product.price, product.currency)}</strong></td>
    <td data-label=${t('orders.catalogue.active')}>
      ${manage
        ? html`<label class="pc-switch">
            <input type="checkbox" role="switch" checked=${product.active} disabled=${busy.value} onChange=${toggle}
              aria-label=${t('orders.catalogue.activeOf', { name: product.name })} />
            <span class="pc-switch__track" aria-hidden="true"></span>
            <span class="pc-switch__text" aria-hidden="true">${product.active ? t('orders.catalogue.on') : t('orders.catalogue.off')}</span>
          </label>`
        : html`<span class=${`badge badge--${product.active ? 'ok' : 'neutral'}`}>${product.active ? t('orders.catalogue.on') : t('orders.catalogue.off')}</span>`}
    </td>
    ${manage &&
    html`<td class="admin-table__actions">
      <button type="button" class="button button--secondary button--compact" aria-label=${t('orders.catalogue.editOne', { name: product.name })} onClick=${() => onEdit(product)}>${t('orders.catalogue.edit')}</button>
      <button type="button" class="button button--quiet button--compact" aria-label=${t('orders.catalogue.removeOne', { name: product.name })} onClick=${() => (removing.value = true)}>${t('orders.catalogue.remove')}</button>
      ${removing.value &&
      html`<${ConfirmDialog}
        title=${t('orders.catalogue.removeTitle', { name: product.name })}
        text=${t('orders.catalogue.removeText')}
        confirmLabel=${t('orders.catalogue.remove')}
        onConfirm=${async () => {
          await api('DELETE', `/v1/products/${product.id}`);
          onChanged();
        }}
        onClose=${() => (removing.value = false)}
      />`}
    </td>`}
  </tr>`;
}

export function CatalogueScreen() {
  const manage = can('products.manage');
  const query = useSignal('');
  const inactive = useSignal(false);
  const state = useSignal({ items: null, next: null, loading: true, error: null });
  const editing = useSignal(undefined); // undefined: closed; null: a new product
  const tick = useSignal(0);
  const searchId = useId('pc-search');

  const suffix = `${query.value.trim() ? `&q=${encodeURIComponent(query.value.trim())}` : ''}${inactive.value ? '' : '&active=true'}`;
  const load = async (cursor) => {
    state.value = { ...state.value, loading: true, error: null };
    try {
      const page = cursor
        ? await api('GET', `/v1/products?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}${suffix}`)
        : await api('GET', `/v1/products?limit=${PAGE}${suffix}`);
      state.value = { items: [...(cursor ? state.value.items || [] : []), ...page.items], next: page.next_cursor, loading: false, error: null };
    } catch (error) {
      state.value = { ...state.value, loading: false, error };
    }
  };
  useEffect(() => {
    const timer = setTimeout(() => load(null), query.value ? 250 : 0);
    return () => clearTimeout(timer);
  }, [suffix, tick.value]);

  const reload = () => (tick.value += 1);
  const { items, next, loading, error } = state.value;
  const actions = manage ? html`<button type="button" class="button button--primary" onClick=${() => (editing.value = null)}>${t('orders.catalogue.add')}</button>` : null;
  let body;
  if (items === null) body = html`<${Loading} error=${error} onRetry=${reload} />`;
  else if (!items.length) {
    body = query.value.trim()
      ? html`<${EmptyState} title=${t('orders.catalogue.noneFound')} />`
      : html`<${EmptyState} title=${t('orders.catalogue.emptyTitle')} text=${manage ? t('orders.catalogue.emptyManage') : t('orders.catalogue.emptyRead')} />`;
  } else {
    body = html`<div class="admin-table-wrap">
      <table class="admin-table pc-table">
        <caption class="visually-hidden">${t('orders.catalogue.title')}</caption>
        <thead>
          <tr>
            <th scope="col"><span class="visually-hidden">${t('orders.catalogue.image')}</span></th>
            <th scope="col">${t('orders.catalogue.name')}</th>
            <th scope="col">${t('orders.catalogue.sku')}</th>
            <th scope="col" class="ol-num">${t('orders.catalogue.price')}</th>
            <th scope="col">${t('orders.catalogue.active')}</th>
            ${manage && html`<th scope="col"><span class="visually-hidden">${t('orders.catalogue.actions')}</span></th>`}
          </tr>
        </thead>
        <tbody>
          ${items.map(
            (product) => html`<${ProductRow} key=${product.id} product=${product} manage=${manage} onEdit=${(p) => (editing.value = p)} onChanged=${reload} />`,
          )}
        </tbody>
      </table>
    </div>`;
  }
  return html`<${OrdersPage} title=${t('orders.catalogue.title')} description=${manage ? t('orders.catalogue.descriptionManage') : t('orders.catalogue.descriptionRead')} actions=${actions}>
    <section class="admin-card" aria-label=${t('orders.catalogue.title')}>
      <div class="pc-tools">
        <div class="pc-tools__search">
          <label class="visually-hidden" for=${searchId}>${t('orders.catalogue.search')}</label>
          <input id=${searchId} type="search" class="field__input" placeholder=${t('orders.catalogue.search')} value=${query.value} onInput=${(e) => (query.value = e.currentTarget.value)} />
        </div>
        <label class="pc-check"><input type="checkbox" checked=${inactive.value} onChange=${(e) => (inactive.value = e.currentTarget.checked)} />${t('orders.catalogue.showInactive')}</label>
      </div>
      ${items !== null && error && html`<p class="field__error ol-error" role="alert">${errorText(error)}</p>`}
      ${body}
      ${next && html`<div class="ol-more"><button type="button" class="button button--secondary" disabled=${loading} onClick=${() => load(next)}>${t('orders.more')}</button></div>`}
    </section>
    ${editing.value !== undefined && html`<${ProductDialog} product=${editing.value} onClose=${() => (editing.value = undefined)} onSaved=${reload} />`}
  </${OrdersPage}>`;
}
