// What the billing pages share (docs/billing.md): the account's billing state
// (GET /v1/billing), money and dates in the person's language, the names of limits, plans
// and statuses, and the notice that payments are not configured on this installation.
import { api } from '../../api.js';
import { showBilling } from '../../billing-banner.js';
import { html } from '../../html.js';
import { localeTag, t } from '../../i18n.js';
import { timezone } from '../../format.js';
import { Link } from '../../router.js';
import { useLoad } from '../kit.js';
import './billing.css';

/** The limits a plan sets and an add-on raises, in the order the pages show them. */
export const LIMITS = ['users', 'twitter_accounts', 'whatsapp_numbers'];

/** Currencies Stripe counts in whole units (no cents). */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/** An amount in Stripe's smallest unit of ``currency``, written as the person reads money. */
export function money(amount, currency = 'usd') {
  const code = String(currency || 'usd').toLowerCase();
  const value = ZERO_DECIMAL.has(code) ? amount : amount / 100;
  return new Intl.NumberFormat(localeTag.value, { style: 'currency', currency: code.toUpperCase() }).format(value);
}

/** A day (from an ISO instant) in the company's timezone: "5 de enero de 2027". */
export function day(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(localeTag.value, { dateStyle: 'long', timeZone: timezone.value }).format(new Date(iso));
}

/** A short day for tables: "5 ene 2027". */
export function shortDay(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(localeTag.value, { day: 'numeric', month: 'short', year: 'numeric', timeZone: timezone.value }).format(new Date(iso));
}

/** "4 usuarios", "1 cuenta de Twitter": a count of a limit's things. */
export function countOf(limit, n) {
  return t(`billing.count.${limit}.${n === 1 ? 'one' : 'other'}`, { n });
}

/** The name of an add-on, in the person's language. */
export const addonName = (id) => t(`billing.addon.${id}`);

/** The account's billing state; each answer also tells the console's past-due banner. */
export function useBilling() {
  const state = useLoad(() => api('GET', '/v1/billing').then(told), '');
  return state;
}

function told(billing) {
  showBilling(billing);
  return billing;
}

/** A plan of the catalogue, by id (``null`` if the catalogue has no such plan). */
export function planOf(billing, id) {
  return billing.catalogue.plans.find((plan) => plan.id === id) ?? null;
}

/** "US$ 49,00 al mes", or "Gratis" for a plan without a price. */
export function perMonth(price) {
  if (!price) return t('billing.free');
  return t(`billing.per.${price.interval === 'year' ? 'year' : 'month'}`, { amount: money(price.amount, price.currency) });
}

/** The statuses of a Stripe subscription, as a badge's tone. */
const STATUS_TONE = {
  active: 'ok',
  trialing: 'info',
  past_due: 'danger',
  unpaid: 'danger',
  incomplete: 'warn',
  incomplete_expired: 'neutral',
  canceled: 'neutral',
};

export function subscriptionStatus(subscription) {
  const status = subscription?.status ?? 'free';
  const key = `billing.status.${status}`;
  const said = t(key);
  return { tone: STATUS_TONE[status] ?? 'neutral', text: said === key ? status : said };
}


const NOTE_ICONS = { info: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 11v5M12 8h.01', warn: 'M12 3l10 18H2zM12 10v5M12 18h.01' };

/** A piece of news, a warning or a problem, with an optional title and what to do. */
export function Note({ tone = 'warn', title, children, role }) {
  return html`<div class=${`bl-note bl-note--${tone}`} role=${role ?? (tone === 'danger' ? 'alert' : 'status')}>
    <svg class="bl-note__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${NOTE_ICONS[tone] ?? NOTE_ICONS.warn} /></svg>
    <div>
      ${title && html`<p class="bl-note__title">${title}</p>`}
      ${children}
    </div>
  </div>`;
}

/** Where a person lifts a limit by removing things (only the pages their role opens). */
const WHERE = { users: ['/admin/users', 'users.read'], twitter_accounts: ['/admin/channels', 'channels.manage'], whatsapp_numbers: ['/admin/channels', 'channels.manage'] };

/** Why a paid action cannot be taken here: billing is not configured on this installation. */
export function NotConfigured() {
  return html`<${Note} tone="info" title=${t('billing.notConfigured.title')}><p>${t('billing.notConfigured.text')}</p></${Note}>`;
}

/** What to remove to fit a plan: the items of ``over_limit`` or of a 409 ``below_usage``. */
export function RemoveList({ items, can }) {
  return html`<ul class="bl-remove">
    ${items.map((item) => {
      const [href, action] = WHERE[item.limit] ?? [];
      return html`<li>
        ${t('billing.remove.line', {
          what: t(`billing.limit.${item.limit}`),
          in_use: item.in_use,
          allowed: item.allowed,
          remove: countOf(item.limit, item.remove),
        })}
        ${href && can(action) && html` <${Link} href=${href}>${t(`billing.remove.go.${item.limit}`)}</${Link}>`}
      </li>`;
    })}
  </ul>`;
}

/** The sub-pages' way back to "Facturación". */
export const BACK = () => ({ href: '/admin/billing', label: t('billing.title') });

/** A card's brand, in words: "Visa", "Mastercard"... */
export function brandName(brand) {
  const key = `billing.brand.${brand}`;
  const said = t(key);
  return said === key ? (brand ? brand.charAt(0).toUpperCase() + brand.slice(1) : t('billing.brand.card')) : said;
}

/** The few letters of a card's brand on its little picture. */
export function brandMark(brand) {
  return { visa: 'VISA', mastercard: 'MC', amex: 'AMEX', discover: 'DISC', diners: 'DC', jcb: 'JCB', unionpay: 'UP' }[brand] ?? '••••';
}

/** "12/2030" */
export const expiry = (method) => `${String(method.exp_month).padStart(2, '0')}/${method.exp_year}`;
