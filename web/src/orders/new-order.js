// "Nueva orden" of the orders area (orders.standalone): an order for an existing client,
// found through the help desk's search (GET /v1/search/tickets by name or email, for
// roles that may read clients), or for a new one (name, email, phone), with the order
// form (./order-form.js). POST /v1/orders, then the new order opens.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { can } from '../session.js';
import { Dialog, Field, useId } from '../ui.js';
import { OrderForm } from './order-form.js';

/** Finds clients by name or email (through the tickets' search) and hands the chosen one
 * to ``onPick({id, name, email})``. */
export function ClientPicker({ label, onPick, compact = false }) {
  const text = useSignal('');
  const found = useSignal(null);
  const error = useSignal(null);
  const id = useId('client-search');
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  const search = (value) => {
    text.value = value;
    clearTimeout(timer.current);
    const q = value.trim();
    if (q.length < 2) {
      found.value = null;
      return;
    }
    timer.current = setTimeout(async () => {
      try {
        const answer = q.includes('@')
          ? await api('GET', `/v1/search/tickets?email=${encodeURIComponent(q)}`)
          : await api('GET', `/v1/search/tickets?name=${encodeURIComponent(q)}`);
        if (text.value.trim() !== q) return;
        const clients = new Map();
        for (const hit of answer.items) if (hit.client && !clients.has(hit.client.id)) clients.set(hit.client.id, hit.client);
        found.value = [...clients.values()];
        error.value = null;
      } catch (failure) {
        error.value = errorText(failure);
      }
    }, 250);
  };
  return html`<div class=${`client-picker${compact ? ' client-picker--compact' : ''}`}>
    <label class=${compact ? 'ol-filter__label' : 'field__label'} for=${id}>${label}</label>
    <input id=${id} type="search" class="field__input" value=${text.value} autocomplete="off"
      placeholder=${t('orders.client.searchHint')} onInput=${(e) => search(e.currentTarget.value)}
      aria-describedby=${`${id}-status`} />
    <p class="visually-hidden" id=${`${id}-status`} role="status">${found.value ? t(found.value.length === 1 ? 'orders.client.foundOne' : 'orders.client.found', { n: found.value.length }) : ''}</p>
    ${error.value && html`<p class="field__error">${error.value}</p>`}
    ${found.value &&
    html`<ul class="client-picker__list" aria-label=${t('orders.client.results')}>
      ${found.value.length === 0 && html`<li class="client-picker__none">${t('orders.client.none')}</li>`}
      ${found.value.map(
        (client) => html`<li key=${client.id}>
          <button type="button" class="client-picker__item" onClick=${() => {
            found.value = null;
            text.value = '';
            onPick(client);
          }}>
            <strong>${client.name || t('orders.noName')}</strong>
            ${client.email && html`<span class="of-muted">${client.email}</span>`}
          </button>
        </li>`,
      )}
    </ul>`}
  </div>`;
}

/** The dialog of "Nueva orden". */
export function NewOrderDialog({ onClose }) {
  const searchable = can('clients.read');
  const mode = useSignal(searchable ? 'existing' : 'new');
  const client = useSignal(null);
  const fresh = useSignal({ name: '', email: '', phone: '' });
  const tried = useSignal(false);

  const validate = () => {
    tried.value = true;
    if (mode.value === 'existing' && !client.value) return t('orders.client.choose');
    if (mode.value === 'new' && !fresh.value.name.trim()) return t('orders.client.needName');
    return null;
  };
  const submit = async (body) => {
    const who =
      mode.value === 'existing'
        ? { client_id: client.value.id }
        : {
            client: Object.fromEntries(
              Object.entries({ name: fresh.value.name.trim(), email: fresh.value.email.trim(), phone: fresh.value.phone.trim() }).filter(([, v]) => v),
            ),
          };
    const order = await api('POST', '/v1/orders', Object.assign(body, who));
    onClose();
    navigate(`/orders/${order.number}`);
  };
  const setFresh = (field) => (value) => (fresh.value = { ...fresh.value, [field]: value });

  return html`<${Dialog} title=${t('orders.new')} size="lg" onClose=${onClose}>
    <${OrderForm} onSubmit=${submit} onCancel=${onClose} validate=${validate}>
      <fieldset class="no-client">
        <legend class="field__label">${t('orders.client.title')}</legend>
        ${searchable &&
        html`<div class="no-client__modes" role="radiogroup" aria-label=${t('orders.client.title')}>
          <label class="no-client__mode"><input type="radio" name="client-mode" checked=${mode.value === 'existing'} onChange=${() => (mode.value = 'existing')} />${t('orders.client.existing')}</label>
          <label class="no-client__mode"><input type="radio" name="client-mode" checked=${mode.value === 'new'} onChange=${() => (mode.value = 'new')} />${t('orders.client.new')}</label>
        </div>`}
        ${mode.value === 'existing'
          ? client.value
            ? html`<p class="no-client__chosen">
                <span><strong>${client.value.name || t('orders.noName')}</strong>${client.value.email && html` · ${client.value.email}`}</span>
                <button type="button" class="button button--secondary button--compact" onClick=${() => (client.value = null)}>${t('orders.client.change')}</button>
              </p>`
            : html`<${ClientPicker} label=${t('orders.client.search')} onPick=${(c) => (client.value = c)} />`
          : html`<div class="no-client__fields">
              <${Field} label=${t('orders.client.name')} value=${fresh.value.name} onInput=${setFresh('name')} maxlength="200"
                error=${tried.value && !fresh.value.name.trim() ? t('orders.client.needName') : null} />
              <${Field} label=${t('orders.client.email')} type="email" required=${false} value=${fresh.value.email} onInput=${setFresh('email')} maxlength="254" />
              <${Field} label=${t('orders.client.phone')} type="tel" required=${false} value=${fresh.value.phone} onInput=${setFresh('phone')} maxlength="40" />
            </div>`}
      </fieldset>
    </${OrderForm}>
  </${Dialog}>`;
}
