// What the orders area's screens share: its frame (the console's header, the area's tabs
// "Órdenes" and "Catálogo", the page), the status and payment-state badges, dates in the
// company's timezone, and who is who (the team's names, for roles that may list users).
import { signal } from '@preact/signals';
import { api } from '../api.js';
import { localeTag, t } from '../i18n.js';
import { html } from '../html.js';
import { timezone } from '../format.js';
import { Link, route } from '../router.js';
import { can, me } from '../session.js';
import { AppHeader } from '../shell.js';
import { PageHead } from '../ui.js';
import { Badge } from '../admin/kit.js';
import { upload } from './upload.js';

export { upload };

function Tabs() {
  const here = route.value.path;
  const tabs = [['/orders', t('orders.tab.orders'), can('orders.read')], ['/orders/catalogue', t('orders.tab.catalogue'), can('products.read')]].filter(
    ([, , allowed]) => allowed,
  );
  const current = here === '/orders/catalogue' ? '/orders/catalogue' : '/orders';
  return html`<nav class="orders-tabs" aria-label=${t('orders.tabs')}>
    ${tabs.map(
      ([href, label]) => html`<${Link} href=${href} class="orders-tabs__link" aria-current=${current === href ? 'page' : undefined}>${label}</${Link}>`,
    )}
  </nav>`;
}

/** A page of the area: its title (the tab's too, focused on arrival), optional actions,
 * an optional way back, and the content. */
export function OrdersPage({ title, description, actions, back, children }) {
  return html`<div class="app admin orders">
    <${AppHeader} />
    <main class="orders__main" id="main">
      <${Tabs} />
      <${PageHead} title=${title} description=${description} actions=${actions} back=${back} />
      ${children}
    </main>
  </div>`;
}

const STATUS_TONES = { open: 'info', annulled: 'neutral' };
const STATE_TONES = { unpaid: 'danger', partially_paid: 'warn', paid: 'ok', overpaid: 'info' };
const PAYMENT_TONES = { pending: 'warn', reconciled: 'ok', rejected: 'danger' };

export const ORDER_STATUSES = ['open', 'annulled'];
export const PAYMENT_STATES = ['unpaid', 'partially_paid', 'paid', 'overpaid'];
export const PAYMENT_METHODS = ['transfer', 'card', 'cash', 'link', 'other'];

export function StatusBadge({ status }) {
  return html`<${Badge} tone=${STATUS_TONES[status] ?? 'neutral'}>${t(`orders.status.${status}`)}</${Badge}>`;
}

export function PaymentStateBadge({ state }) {
  return html`<${Badge} tone=${STATE_TONES[state] ?? 'neutral'}>${t(`orders.state.${state}`)}</${Badge}>`;
}

export function PaymentBadge({ status }) {
  return html`<${Badge} tone=${PAYMENT_TONES[status] ?? 'neutral'}>${t(`orders.payment.status.${status}`)}</${Badge}>`;
}

const DAY = { day: 'numeric', month: 'short', year: 'numeric' };

/** A day and hour (an ISO instant) in the company's timezone, short: "5 dic 2026, 14:05". */
export function when(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(localeTag.value, { ...DAY, hour: '2-digit', minute: '2-digit', timeZone: timezone.value }).format(new Date(iso));
}

/** A calendar day (YYYY-MM-DD) as it is written: "5 dic 2026". */
export function dayOf(day) {
  if (!day) return '—';
  return new Intl.DateTimeFormat(localeTag.value, { ...DAY, timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));
}

/** Today in the company's timezone, as YYYY-MM-DD (the default day of a payment). */
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone.value }).format(new Date());
}

/** The team's names by user id; filled once for roles that may list users. */
export const people = signal({});
let asked = false;

export function loadPeople() {
  if (asked || !can('users.read')) return;
  asked = true;
  (async () => {
    const found = {};
    let cursor = null;
    do {
      const page = cursor
        ? await api('GET', `/v1/users?limit=100&cursor=${encodeURIComponent(cursor)}`)
        : await api('GET', '/v1/users?limit=100');
      for (const user of page.items) found[user.id] = user;
      cursor = page.next_cursor;
    } while (cursor && Object.keys(found).length < 1000);
    people.value = found;
  })().catch(() => {
    asked = false;
  });
}

/** A user's name for the page: "Tú" for the signed-in person, the name when the role may
 * list the team, else the name the order kept when they did it (orders admins may not
 * list the team), else "Otra persona del equipo". */
export function personName(id, keptName) {
  if (!id) return t('orders.nobody');
  if (id === me.value?.user.id) return t('orders.you');
  const user = people.value[id];
  if (user) return `${user.first_name} ${user.last_name}`.trim();
  return keptName || t('orders.someone');
}
