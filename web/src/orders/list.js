// "Órdenes": the company's orders the person may see (GET /v1/orders), newest first, 25 a
// page with "Cargar más", filtered by status, payment state, seller, channel, client and
// a range of days (the company's timezone). The filters live in the address, so a link or
// the back button keeps them. "Nueva orden" for roles with orders.standalone.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { ChannelIcon, channelName } from '../channels.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link, navigate, route } from '../router.js';
import { can, me } from '../session.js';
import { useId } from '../ui.js';
import { EmptyState, Loading } from '../admin/kit.js';
import { loadPeople, OrdersPage, ORDER_STATUSES, PAYMENT_STATES, PaymentStateBadge, people, personName, StatusBadge, when } from './common.js';
import { ClientPicker, NewOrderDialog } from './new-order.js';
import { formatMoney } from './money.js';

const PAGE = 25;
/** The filters the API takes, as the address carries them. */
const FILTERS = ['status', 'payment_state', 'agent', 'channel', 'client', 'from', 'to'];

function filtersOf(query) {
  return Object.fromEntries(FILTERS.map((name) => [name, query.get(name) || '']));
}

/** An agent's list holds the orders they made (those of their tickets are on each ticket). */
const ownOnly = () => me.value.user.role === 'agent';

function querySuffix(filters) {
  return FILTERS.filter((name) => filters[name])
    .map((name) => `&${name}=${encodeURIComponent(filters[name])}`)
    .join('');
}

function FilterSelect({ label, value, options, onChange, name }) {
  const id = useId(`of-${name}`);
  return html`<div class="ol-filter">
    <label class="ol-filter__label" for=${id}>${label}</label>
    <select id=${id} class="field__input field__select" value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${options.map(([key, text]) => html`<option value=${key} selected=${key === value}>${text}</option>`)}
    </select>
  </div>`;
}

function DayFilter({ label, value, onChange, name }) {
  const id = useId(`of-${name}`);
  return html`<div class="ol-filter ol-filter--day">
    <label class="ol-filter__label" for=${id}>${label}</label>
    <input id=${id} type="date" class="field__input" value=${value} onChange=${(e) => onChange(e.currentTarget.value)} />
  </div>`;
}

function Filters({ filters, set, channels, clientName }) {
  const all = ['', t('orders.filter.all')];
  const team = Object.values(people.value)
    .filter((user) => user.id !== me.value.user.id)
    .sort((a, b) => `${a.first_name} ${a.last_name}`.localeCompare(`${b.first_name} ${b.last_name}`));
  const agents = [all, [me.value.user.id, t('orders.filter.mine')], ...team.map((user) => [user.id, `${user.first_name} ${user.last_name}`])];
  const any = FILTERS.some((name) => filters[name]);
  return html`<div class="ol-filters" role="search" aria-label=${t('orders.filter.title')}>
    <${FilterSelect} name="status" label=${t('orders.filter.status')} value=${filters.status} onChange=${(v) => set({ status: v })}
      options=${[all, ...ORDER_STATUSES.map((s) => [s, t(`orders.status.${s}`)])]} />
    <${FilterSelect} name="state" label=${t('orders.filter.paymentState')} value=${filters.payment_state} onChange=${(v) => set({ payment_state: v })}
      options=${[all, ...PAYMENT_STATES.map((s) => [s, t(`orders.state.${s}`)])]} />
    ${!ownOnly() &&
    html`<${FilterSelect} name="agent" label=${t('orders.filter.agent')} value=${filters.agent} onChange=${(v) => set({ agent: v })} options=${agents} />`}
    ${channels.length > 0 &&
    html`<${FilterSelect} name="channel" label=${t('orders.filter.channel')} value=${filters.channel} onChange=${(v) => set({ channel: v })}
      options=${[all, ...channels.map((c) => [c.id, `${c.name} · ${channelName(c.type)}`])]} />`}
    <${DayFilter} name="from" label=${t('orders.filter.from')} value=${filters.from} onChange=${(v) => set({ from: v })} />
    <${DayFilter} name="to" label=${t('orders.filter.to')} value=${filters.to} onChange=${(v) => set({ to: v })} />
    <div class="ol-filter ol-filter--client">
      ${filters.client
        ? html`<span class="ol-filter__label">${t('orders.filter.client')}</span>
            <span class="ol-chip">${clientName || t('orders.filter.oneClient')}
              <button type="button" class="ol-chip__remove" aria-label=${t('orders.filter.clearClient')} title=${t('orders.filter.clearClient')} onClick=${() => set({ client: '', client_name: '' })}>×</button>
            </span>`
        : can('clients.read') &&
          html`<${ClientPicker} compact label=${t('orders.filter.client')} onPick=${(client) => set({ client: client.id, client_name: client.name || '' })} />`}
    </div>
    ${any && html`<button type="button" class="button button--quiet ol-filters__clear" onClick=${() => set(Object.fromEntries([...FILTERS, 'client_name'].map((n) => [n, ''])))}>${t('orders.filter.clear')}</button>`}
  </div>`;
}

function OrderRow({ order, channels, onClient }) {
  const channel = channels.find((c) => c.id === order.channel_id);
  return html`<tr>
    <td data-label=${t('orders.col.number')}>
      <${Link} href=${`/orders/${order.number}`} class="ol-number">${order.reference}</${Link}>
      ${order.ticket_number && can('tickets.read') && html`<div class="admin-table__muted">${t('orders.ticketShort', { number: order.ticket_number })}</div>`}
    </td>
    <td data-label=${t('orders.col.date')} class="ol-nowrap"><time datetime=${order.created_at}>${when(order.created_at)}</time></td>
    <td data-label=${t('orders.col.client')}>
      ${order.client
        ? html`<button type="button" class="ol-link" title=${t('orders.filter.byClient', { name: order.client.name || '' })} onClick=${() => onClient(order.client)}>${order.client.name || t('orders.noName')}</button>`
        : '—'}
    </td>
    <td data-label=${t('orders.col.agent')}>${personName(order.agent_id, order.agent_name)}</td>
    <td data-label=${t('orders.col.channel')}>
      ${order.channel_type
        ? html`<span class="ol-channel"><${ChannelIcon} type=${order.channel_type} size="sm" decorative />${channel?.name || channelName(order.channel_type)}</span>`
        : html`<span class="admin-table__muted">${t('orders.standalone')}</span>`}
    </td>
    <td data-label=${t('orders.col.total')} class="ol-num"><strong>${formatMoney(order.total, order.currency)}</strong></td>
    <td data-label=${t('orders.col.payment')}><${PaymentStateBadge} state=${order.payment_state} /></td>
    <td data-label=${t('orders.col.status')}><${StatusBadge} status=${order.status} /></td>
  </tr>`;
}

export function OrdersScreen() {
  const query = route.value.query;
  const filters = filtersOf(query);
  const clientName = query.get('client_name') || '';
  const suffix = querySuffix(filters);
  const state = useSignal({ items: null, next: null, loading: true, error: null });
  const channels = useSignal([]);
  const creating = useSignal(false);

  const set = (changes) => {
    const next = new URLSearchParams(query);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const text = next.toString();
    navigate(text ? `/orders?${text}` : '/orders', { replace: true });
  };

  const load = async (cursor) => {
    state.value = { ...state.value, loading: true, error: null };
    try {
      const page = cursor
        ? await api('GET', `/v1/orders?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}${suffix}`)
        : await api('GET', `/v1/orders?limit=${PAGE}${suffix}`);
      state.value = { items: [...(cursor ? state.value.items || [] : []), ...page.items], next: page.next_cursor, loading: false, error: null };
    } catch (error) {
      state.value = { ...state.value, loading: false, error };
    }
  };
  useEffect(() => {
    load(null);
  }, [suffix]);
  useEffect(() => {
    loadPeople();
    if (can('channels.read')) api('GET', '/v1/channels?limit=100').then((page) => (channels.value = page.items), () => {});
  }, []);

  const { items, next, loading, error } = state.value;
  const filtered = FILTERS.some((name) => filters[name]);
  const actions = can('orders.standalone')
    ? html`<button type="button" class="button button--primary" onClick=${() => (creating.value = true)}>${t('orders.new')}</button>`
    : null;

  let body;
  if (items === null) body = html`<${Loading} error=${error} onRetry=${() => load(null)} />`;
  else if (!items.length) {
    body = filtered
      ? html`<${EmptyState} title=${t('orders.empty.filteredTitle')} text=${t('orders.empty.filteredText')} />`
      : html`<${EmptyState} title=${t('orders.empty.title')} text=${t(can('orders.standalone') ? 'orders.empty.textNew' : 'orders.empty.text')} />`;
  } else {
    body = html`<div class="admin-table-wrap">
      <table class="admin-table ol-table">
        <caption class="visually-hidden">${t('orders.title')}</caption>
        <thead>
          <tr>
            <th scope="col">${t('orders.col.number')}</th>
            <th scope="col">${t('orders.col.date')}</th>
            <th scope="col">${t('orders.col.client')}</th>
            <th scope="col">${t('orders.col.agent')}</th>
            <th scope="col">${t('orders.col.channel')}</th>
            <th scope="col" class="ol-num">${t('orders.col.total')}</th>
            <th scope="col">${t('orders.col.payment')}</th>
            <th scope="col">${t('orders.col.status')}</th>
          </tr>
        </thead>
        <tbody>
          ${items.map(
            (order) => html`<${OrderRow} key=${order.number} order=${order} channels=${channels.value}
              onClient=${(client) => set({ client: client.id, client_name: client.name || '' })} />`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  return html`<${OrdersPage} title=${t('orders.title')} description=${t(ownOnly() ? 'orders.descriptionOwn' : 'orders.description')} actions=${actions}>
    <section class="admin-card ol-card" aria-label=${t('orders.title')}>
      <${Filters} filters=${filters} set=${set} channels=${channels.value} clientName=${clientName} />
      ${items !== null && error && html`<p class="field__error ol-error" role="alert">${errorText(error)}</p>`}
      ${body}
      ${next &&
      html`<div class="ol-more">
        <button type="button" class="button button--secondary" disabled=${loading} aria-busy=${loading ? 'true' : undefined} onClick=${() => load(next)}>
          ${t('orders.more')}
        </button>
      </div>`}
    </section>
    ${creating.value && html`<${NewOrderDialog} onClose=${() => (creating.value = false)} />`}
  </${OrdersPage}>`;
}
