// The ticket view's "Órdenes" tab (issue 15, item 7): the orders made from this
// conversation with their total and payment state, each a link to its page in the orders
// area (/orders/{number}), and "Nueva orden" for whoever may create one from a ticket.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { formatDateTime } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link } from '../router.js';
import { can } from '../session.js';
import { Alert, Button, Dialog } from '../ui.js';
import { OrdersPart } from './load.js';
import { formatMoney } from './money.js';
import './ticket-orders.css';

const PAGE = 25;
const READ_ONLY = ['merged', 'escalated'];

function OrderItem({ order }) {
  return html`<li class="torder">
    <div class="torder__top">
      <${Link} class="torder__ref" href=${`/orders/${order.number}`}>${order.reference}</${Link}>
      <span class=${`badge torder__state torder__state--${order.payment_state}`}>${t(`dorders.state.${order.payment_state}`)}</span>
      ${order.status !== 'open' && html`<span class="badge torder__status">${t(`dorders.status.${order.status}`)}</span>`}
    </div>
    <p class="torder__total">
      <span class="visually-hidden">${t('dorders.total')}: </span>${formatMoney(order.total, order.currency)}
    </p>
    <p class="torder__money">
      ${order.paid > 0 && html`<span>${t('dorders.paid', { amount: formatMoney(order.paid, order.currency) })}</span>`}
      ${order.pending > 0 && html`<span class="torder__pending">${t('dorders.pending', { amount: formatMoney(order.pending, order.currency) })}</span>`}
      ${order.paid > 0 && order.balance > 0 && html`<span>${t('dorders.balance', { amount: formatMoney(order.balance, order.currency) })}</span>`}
    </p>
    <p class="tlist__meta">${t('dorders.when', { when: formatDateTime(order.created_at) })}</p>
  </li>`;
}

/** ``list`` with each order once (its first place kept): a page read after a creation may
 * repeat the new one. */
function byNumber(list) {
  const seen = new Set();
  return list.filter((order) => !seen.has(order.number) && seen.add(order.number));
}

/** The tab's panel: ``ticket`` is the ticket on screen; ``work`` whether the person may work it. */
export function OrdersPanel({ ticket, work }) {
  const items = useSignal(null);
  const cursor = useSignal(null);
  const problem = useSignal(null);
  const creating = useSignal(false);
  const notice = useSignal(null);
  const loadingMore = useSignal(false);

  async function load(more = false) {
    try {
      const page = more
        ? await api('GET', `/v1/tickets/${ticket.number}/orders?limit=${PAGE}&cursor=${encodeURIComponent(cursor.value)}`)
        : await api('GET', `/v1/tickets/${ticket.number}/orders?limit=${PAGE}`);
      items.value = more ? byNumber([...items.value, ...page.items]) : page.items;
      cursor.value = page.next_cursor;
      problem.value = null;
    } catch (error) {
      items.value ??= [];
      problem.value = errorText(error);
    }
  }
  useEffect(() => {
    load();
  }, [ticket.number]);

  const mayCreate = can('orders.create') && work && !READ_ONLY.includes(ticket.status);
  function created(order) {
    creating.value = false;
    items.value = byNumber([order, ...(items.value || [])]);
    notice.value = t('dorders.created', { reference: order.reference });
  }

  return html`<div class="torders">
    ${mayCreate &&
    html`<div class="torders__bar">
      <${Button} type="button" onClick=${() => {
        notice.value = null;
        creating.value = true;
      }}>${t('dorders.new')}</${Button}>
    </div>`}
    ${!mayCreate && can('orders.read') && !can('orders.create') && html`<p class="tpanel__note">${t('dorders.readOnly')}</p>`}
    ${notice.value && html`<${Alert} tone="success">${notice.value}</${Alert}>`}
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    ${items.value === null && html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`}
    ${items.value?.length === 0 && !problem.value && html`<p class="tpanel__empty">${t('dorders.none')}</p>`}
    ${items.value?.length > 0 &&
    html`<ul class="tlist torders__list" aria-label=${t('dorders.list')}>
      ${items.value.map((order) => html`<${OrderItem} key=${order.number} order=${order} />`)}
    </ul>`}
    ${cursor.value &&
    html`<button type="button" class="link-button" disabled=${loadingMore.value} onClick=${async () => {
      loadingMore.value = true;
      await load(true);
      loadingMore.value = false;
    }}>${t('dorders.more')}</button>`}
    ${creating.value && html`<${NewOrderDialog} ticket=${ticket} onClose=${() => (creating.value = false)} onCreated=${created} />`}
  </div>`;
}

/** The orders area's form (lazily loaded with its chunk) in a dialog; the order is made
 * from the ticket, so the client and the channel are the ticket's. */
function NewOrderDialog({ ticket, onClose, onCreated }) {
  async function create(body) {
    onCreated(await api('POST', `/v1/tickets/${ticket.number}/orders`, body));
  }
  return html`<${Dialog} title=${t('dorders.newTitle', { number: ticket.number })} description=${t('dorders.newText')} size="lg" onClose=${onClose}>
    <${OrdersPart} name="OrderForm" onSubmit=${create} onCancel=${onClose} />
  </${Dialog}>`;
}
