// One order (GET /v1/orders/{number}): its client, seller, channel and ticket, its lines
// and totals (total, paid, pending, balance), its status and payment state, the payments
// (./payments.js), the comments and the history (./activity.js). "Anular" and "Eliminar"
// (only without payments) for roles with orders.manage; the ticket's link for roles that
// see the help desk.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { channelName } from '../channels.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link, navigate } from '../router.js';
import { can } from '../session.js';
import { Alert } from '../ui.js';
import { ConfirmDialog, Loading, Section } from '../admin/kit.js';
import { Activity } from './activity.js';
import { ReasonDialog } from './reason.js';
import { loadPeople, OrdersPage, PaymentStateBadge, personName, StatusBadge, when } from './common.js';
import { formatMoney } from './money.js';
import { Payments } from './payments.js';

function Lines({ order }) {
  const money = (amount) => formatMoney(amount, order.currency);
  return html`<div class="admin-table-wrap">
    <table class="admin-table od-lines">
      <caption class="visually-hidden">${t('orders.detail.lines')}</caption>
      <thead>
        <tr>
          <th scope="col">${t('orders.form.description')}</th>
          <th scope="col" class="ol-num">${t('orders.form.quantity')}</th>
          <th scope="col" class="ol-num">${t('orders.form.unitPrice')}</th>
          <th scope="col" class="ol-num">${t('orders.form.lineTotal')}</th>
        </tr>
      </thead>
      <tbody>
        ${order.lines.map(
          (line, index) => html`<tr key=${index}>
            <td>${line.description}${line.sku && html` <span class="admin-table__muted">· ${line.sku}</span>`}</td>
            <td class="ol-num">${line.quantity.toLocaleString()}</td>
            <td class="ol-num">${money(line.unit_price)}</td>
            <td class="ol-num">${money(line.total)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function Totals({ order }) {
  const money = (amount) => formatMoney(amount, order.currency);
  return html`<dl class="od-totals" aria-label=${t('orders.detail.totals')}>
    <div class="od-totals__item"><dt>${t('orders.detail.total')}</dt><dd>${money(order.total)}</dd></div>
    <div class="od-totals__item od-totals__item--ok"><dt>${t('orders.detail.paid')}</dt><dd>${money(order.paid)}</dd></div>
    <div class=${`od-totals__item od-totals__item--${order.pending ? 'warn' : 'zero'}`}><dt>${t('orders.detail.pending')}</dt><dd>${money(order.pending)}</dd></div>
    <div class=${`od-totals__item od-totals__item--balance${order.balance < 0 ? ' od-totals__item--over' : ''}`}>
      <dt>${t('orders.detail.balance')}</dt><dd>${money(order.balance)}</dd>
    </div>
  </dl>`;
}

function Facts({ order }) {
  return html`<dl class="od-facts">
    <div><dt>${t('orders.col.client')}</dt><dd>${order.client?.name || t('orders.noName')}</dd></div>
    <div><dt>${t('orders.detail.createdAt')}</dt><dd><time datetime=${order.created_at}>${when(order.created_at)}</time></dd></div>
    <div><dt>${t('orders.col.agent')}</dt><dd>${personName(order.agent_id, order.agent_name)}</dd></div>
    <div><dt>${t('orders.col.channel')}</dt><dd>${order.channel_type ? channelName(order.channel_type) : t('orders.standalone')}</dd></div>
    ${order.ticket_number &&
    html`<div><dt>${t('orders.detail.ticket')}</dt><dd>
      ${can('tickets.read') ? html`<${Link} href=${`/tickets/${order.ticket_number}`}>${t('orders.ticketShort', { number: order.ticket_number })}</${Link}>` : `#${order.ticket_number}`}
    </dd></div>`}
    ${order.note && html`<div class="od-facts__wide"><dt>${t('orders.detail.note')}</dt><dd class="od-note">${order.note}</dd></div>`}
  </dl>`;
}

export function OrderScreen({ number }) {
  const state = useSignal({ order: null, error: null });
  const dialog = useSignal(null);
  const tick = useSignal(0);
  const load = async () => {
    try {
      state.value = { order: await api('GET', `/v1/orders/${number}`), error: null };
    } catch (error) {
      state.value = { ...state.value, error };
    }
  };
  // a change anywhere (a payment, an annulment) reloads the order and its history
  const changed = () => {
    tick.value += 1;
    return load();
  };
  useEffect(() => {
    state.value = { order: null, error: null };
    loadPeople();
    load();
  }, [number]);

  const { order, error } = state.value;
  const back = { href: '/orders', label: t('orders.title') };
  if (!order) {
    const gone = error && error.status === 404;
    return html`<${OrdersPage} title=${t('orders.detail.titleOf', { reference: number })} back=${back}>
      ${gone ? html`<${Alert} title=${t('orders.detail.goneTitle')}><p>${t('orders.detail.goneText')}</p></${Alert}>` : html`<${Loading} error=${error} onRetry=${load} />`}
    </${OrdersPage}>`;
  }

  const manage = can('orders.manage');
  const actions = manage
    ? html`
        ${order.status === 'open' &&
        html`<button type="button" class="button button--secondary" onClick=${() => (dialog.value = 'annul')}>${t('orders.annul')}</button>`}
        ${order.payments_count === 0 &&
        html`<button type="button" class="button button--danger" onClick=${() => (dialog.value = 'delete')}>${t('orders.delete')}</button>`}
      `
    : null;

  return html`<${OrdersPage} title=${t('orders.detail.titleOf', { reference: order.reference })} back=${back} actions=${actions}>
    <div class="od-badges" role="group" aria-label=${t('orders.detail.state')}>
      <${StatusBadge} status=${order.status} />
      <${PaymentStateBadge} state=${order.payment_state} />
    </div>
    ${order.annulment &&
    html`<${Alert} tone="info" title=${t('orders.detail.annulled')}>
      <p>${t('orders.detail.annulledBy', { name: personName(order.annulment.by, order.annulment.by_name), when: when(order.annulment.at) })}</p>
      <p class="od-reason-text">${order.annulment.reason}</p>
    </${Alert}>`}
    <div class="od-grid">
      <div class="od-grid__main">
        <${Section} title=${t('orders.detail.lines')} id="order-lines">
          <${Lines} order=${order} />
          <${Totals} order=${order} />
        </${Section}>
        <${Payments} order=${order} onChange=${changed} />
        <${Activity} number=${order.number} tick=${tick.value} currency=${order.currency} payments=${order.payments || []} onChange=${changed} />
      </div>
      <aside class="od-grid__side">
        <${Section} title=${t('orders.detail.summary')} id="order-summary"><${Facts} order=${order} /></${Section}>
      </aside>
    </div>
    ${dialog.value === 'annul' &&
    html`<${ReasonDialog}
      title=${t('orders.annulTitle', { reference: order.reference })}
      text=${t('orders.annulText')}
      label=${t('orders.annulReason')}
      confirmLabel=${t('orders.annul')}
      onConfirm=${async (reason) => {
        await api('POST', `/v1/orders/${order.number}/annul`, { reason });
        await changed();
      }}
      onClose=${() => (dialog.value = null)}
    />`}
    ${dialog.value === 'delete' &&
    html`<${ConfirmDialog}
      title=${t('orders.deleteTitle', { reference: order.reference })}
      text=${t('orders.deleteText')}
      confirmLabel=${t('orders.delete')}
      onConfirm=${async () => {
        await api('DELETE', `/v1/orders/${order.number}`);
        navigate('/orders', { replace: true });
      }}
      onClose=${() => (dialog.value = null)}
    />`}
  </${OrdersPage}>`;
}
