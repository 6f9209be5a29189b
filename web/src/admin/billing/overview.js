// "Facturación" (seed 000, "Contratación y pago de planes" and "Facturación"): the plan
// card with the subscription's data ("Datos de suscripción": price, status, renewal or
// cancellation, add-ons, "Editar suscripción"), the usage of each limit, what to remove
// when over one, the default payment method, the latest invoices and, for admins, the
// fiscal data the invoices carry (edited on the establishment's page).
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Link } from '../../router.js';
import { can } from '../../session.js';
import { Button } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, ConfirmDialog, EmptyState, Loading, Section, useLoad } from '../kit.js';
import { InvoiceTable } from './invoices.js';
import {
  addonName,
  brandMark,
  brandName,
  countOf,
  day,
  expiry,
  LIMITS,
  money,
  Note,
  NotConfigured,
  perMonth,
  planOf,
  RemoveList,
  subscriptionStatus,
  useBilling,
} from './common.js';

const linkButton = (href, text, { label, variant = 'secondary' } = {}) =>
  html`<${Link} href=${href} class=${`button button--${variant} button--compact`} aria-label=${label}>${text}</${Link}>`;

function PlanCard({ billing, onChanged }) {
  const subscription = billing.subscription;
  const manage = can('billing.manage');
  const plan = planOf(billing, billing.plan);
  const status = subscriptionStatus(subscription);
  const asking = useSignal(false);
  const busy = useSignal(false);
  const addons = Object.entries(billing.addons || {}).filter(([, n]) => n > 0);
  const addonPrice = (id) => billing.catalogue.addons.find((a) => a.id === id)?.price;
  const ending = subscription?.cancel_at_period_end;
  const resume = async () => {
    busy.value = true;
    try {
      await api('POST', '/v1/billing/subscription/resume');
      tell(t('billing.resumed'));
      onChanged();
    } catch (error) {
      tell(errorText(error), 'error');
    } finally {
      busy.value = false;
    }
  };
  const price = subscription ? money(subscription.amount, subscription.currency) : plan?.price ? money(plan.price.amount, plan.price.currency) : null;
  return html`<${Section}
    title=${t('billing.plan.card')}
    id="billing-plan"
    class="bl-span"
    actions=${subscription && html`<${Badge} tone=${status.tone}>${status.text}</${Badge}>`}
  >
    <div class="bl-plan">
      <div class="bl-plan__main">
        <p class="bl-plan__label">${t('billing.plan.current')}</p>
        <p class="bl-plan__name">${billing.plan_name || plan?.name || billing.plan}</p>
        <p class="bl-plan__limits">${LIMITS.map((limit) => countOf(limit, billing.limits?.[limit]?.allowed ?? plan?.[limit] ?? 0)).join(' · ')}</p>
      </div>
      <div class="bl-plan__price">
        ${price
          ? html`<p class="bl-plan__amount">${price}</p><p class="bl-plan__per">${t('billing.plan.perMonth')}</p>`
          : html`<p class="bl-plan__amount">${t('billing.free')}</p>`}
      </div>
    </div>
    ${subscription &&
    html`<dl class="bl-facts">
      <div>
        <dt>${t('billing.plan.base')}</dt>
        <dd>${perMonth(plan?.price)}</dd>
      </div>
      <div>
        <dt>${t('billing.plan.addons')}</dt>
        <dd>
          ${addons.length
            ? html`<ul class="bl-addons">
                ${addons.map(([id, n]) => {
                  const each = addonPrice(id);
                  return html`<li><strong>${n} ×</strong> ${addonName(id)}${each ? html` <span class="bl-muted">(${perMonth({ ...each, amount: each.amount * n })})</span>` : ''}</li>`;
                })}
              </ul>`
            : t('billing.plan.noAddons')}
        </dd>
      </div>
      <div>
        <dt>${ending ? t('billing.plan.endsOn') : t('billing.plan.renewsOn')}</dt>
        <dd>${day(subscription.current_period_end)}</dd>
      </div>
    </dl>`}
    ${ending &&
    html`<${Note} tone="info" title=${t('billing.plan.ending', { date: day(subscription.current_period_end) })}>
      <p>${t('billing.plan.endingText', { plan: planOf(billing, 'free')?.name ?? 'Free' })}</p>
      ${manage && html`<p><${Button} type="button" variant="primary" class="button button--primary button--compact" busy=${busy.value} onClick=${resume}>${t('billing.plan.resume')}</${Button}></p>`}
    </${Note}>`}
    ${!subscription && billing.plan === 'free' && html`<p class="bl-muted bl-plan__hint">${t('billing.plan.freeHint')}</p>`}
    ${manage &&
    html`<div class="bl-plan__foot">
      ${linkButton('/admin/billing/subscription', t('billing.edit.title'), { variant: 'primary' })}
      ${subscription && !ending && subscription.status !== 'canceled' &&
      html`<button type="button" class="button button--quiet button--compact" disabled=${!billing.configured} onClick=${() => (asking.value = true)}>${t('billing.plan.cancel')}</button>`}
    </div>`}
    ${asking.value &&
    html`<${ConfirmDialog}
      title=${t('billing.plan.cancelTitle')}
      text=${t('billing.plan.cancelText', { date: day(subscription.current_period_end), plan: planOf(billing, 'free')?.name ?? 'Free' })}
      confirmLabel=${t('billing.plan.cancelConfirm')}
      onConfirm=${async () => {
        await api('POST', '/v1/billing/subscription/cancel');
        tell(t('billing.plan.cancelled', { date: day(subscription.current_period_end) }));
        onChanged();
      }}
      onClose=${() => (asking.value = false)}
    />`}
  </${Section}>`;
}

function UsageCard({ billing }) {
  return html`<${Section} title=${t('billing.usage.title')} id="billing-usage">
    <ul class="bl-usage">
      ${LIMITS.map((limit) => {
        const { plan = 0, addons = 0, allowed = 0, in_use = 0 } = billing.limits?.[limit] ?? {};
        const share = allowed > 0 ? Math.min(100, Math.round((in_use / allowed) * 100)) : in_use > 0 ? 100 : 0;
        const tone = in_use > allowed ? 'over' : share >= 80 ? 'near' : 'ok';
        return html`<li class="bl-usage__item">
          <div class="bl-usage__head">
            <span class="bl-usage__name">${t(`billing.limit.${limit}`)}</span>
            <span class="bl-usage__count">${t('billing.usage.of', { in_use, allowed: countOf(limit, allowed) })}</span>
          </div>
          <div class=${`bl-bar bl-bar--${tone}`} aria-hidden="true">${share > 0 && html`<span class="bl-bar__fill" style=${`width: ${share}%`}></span>`}</div>
          <p class="bl-usage__parts">
            ${t('billing.usage.parts', { plan, addons })}
            ${tone === 'over' && html` <${Badge} tone="danger">${t('billing.usage.over')}</${Badge}>`}
          </p>
        </li>`;
      })}
    </ul>
  </${Section}>`;
}

function PaymentCard({ billing }) {
  const { data, error, reload } = useLoad(() => api('GET', '/v1/billing/payment-methods'), billing.configured ? '' : null);
  const found = data?.items.find((method) => method.default) ?? data?.items[0];
  return html`<${Section}
    title=${t('billing.methods.title')}
    id="billing-payment"
    actions=${linkButton('/admin/billing/payment-methods', can('billing.manage') ? t('billing.manage') : t('billing.see'), { label: t('billing.methods.manage') })}
  >
    ${!billing.configured
      ? html`<p class="bl-muted">${t('billing.methods.notConfigured')}</p>`
      : !data
        ? html`<${Loading} error=${error} onRetry=${reload} />`
        : found
          ? html`<div class="bl-card-line">
              <span class="bl-card-line__icon" aria-hidden="true">${brandMark(found.brand)}</span>
              <div>
                <p class="bl-card-line__name">${t('billing.methods.ending', { brand: brandName(found.brand), last4: found.last4 })}</p>
                <p class="bl-muted">${t('billing.methods.expires', { date: expiry(found) })}</p>
              </div>
              ${found.default && html`<${Badge} tone="info">${t('billing.methods.default')}</${Badge}>`}
            </div>`
          : html`<${EmptyState}
              title=${t('billing.methods.none')}
              text=${t('billing.methods.noneText')}
              action=${can('billing.manage') && linkButton('/admin/billing/payment-methods', t('billing.methods.add'), { variant: 'primary' })}
            />`}
  </${Section}>`;
}

function InvoicesCard() {
  const { data, error, reload } = useLoad(() => api('GET', '/v1/billing/invoices?limit=3'), '');
  return html`<${Section}
    title=${t('billing.invoices.latest')}
    id="billing-latest-invoices"
    class="bl-span"
    actions=${linkButton('/admin/billing/invoices', t('billing.invoices.all'), { label: t('billing.invoices.allLabel') })}
  >
    ${!data
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : data.items.length === 0
        ? html`<${EmptyState} title=${t('billing.invoices.none')} text=${t('billing.invoices.noneText')} />`
        : html`<${InvoiceTable} items=${data.items} />`}
  </${Section}>`;
}

const FISCAL = ['legal_name', 'tax_id', 'billing_address', 'first_name', 'last_name', 'purchase_order'];

function FiscalCard() {
  const { data, error, reload } = useLoad(() => api('GET', '/v1/establishment'), '');
  const fiscal = data?.fiscal ?? {};
  const empty = data && FISCAL.every((field) => !fiscal[field]);
  return html`<${Section}
    title=${t('billing.fiscal.title')}
    id="billing-fiscal"
    actions=${linkButton('/admin/establishment', can('account.manage') ? t('billing.fiscal.edit') : t('billing.see'), { label: t('billing.fiscal.editLabel') })}
  >
    ${!data
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : html`
          <p class="bl-muted bl-fiscal__intro">${t('billing.fiscal.text')}</p>
          ${empty
            ? html`<${Note} tone="info" title=${t('billing.fiscal.empty')}><p>${t('billing.fiscal.emptyText')}</p></${Note}>`
            : html`<dl class="bl-facts bl-facts--two">
                ${FISCAL.map(
                  (field) => html`<div>
                    <dt>${t(`billing.fiscal.${field}`)}</dt>
                    <dd>${fiscal[field] || '—'}</dd>
                  </div>`,
                )}
              </dl>`}
        `}
  </${Section}>`;
}

const OPTION_ICONS = {
  methods: 'M3 6h18v12H3zM3 10h18M7 15h4',
  invoices: 'M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7',
  fiscal: 'M4 21V5l8-3 8 3v16M9 21v-5h6v5M8 9h2M14 9h2M8 13h2M14 13h2',
};

/** The account's options (seed 000): its payment methods, its invoices, the fiscal data. */
function Options() {
  const option = (href, icon, text) => html`<li>
    <${Link} href=${href} class="bl-option">
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${OPTION_ICONS[icon]} /></svg>
      <span>${text}</span>
    </${Link}>
  </li>`;
  return html`<nav class="bl-options" aria-label=${t('billing.options')}>
    <ul>
      ${option('/admin/billing/payment-methods', 'methods', t('billing.methods.title'))}
      ${option('/admin/billing/invoices', 'invoices', t('billing.invoices.title'))}
      ${can('account.read') && option('/admin/establishment', 'fiscal', t('billing.fiscal.title'))}
    </ul>
  </nav>`;
}

export function BillingScreen() {
  const { data: billing, error, reload } = useBilling();
  return html`<${AdminPage} title=${t('billing.title')} description=${t('billing.description')}>
    ${!billing
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : html`
          <${Options} />
          ${!billing.configured && html`<${NotConfigured} />`}
          ${billing.over_limit?.length > 0 &&
          html`<${Note} tone="warn" title=${t('billing.over.title')}>
            <p>${t('billing.over.text')}</p>
            <${RemoveList} items=${billing.over_limit} can=${can} />
          </${Note}>`}
          <div class="bl-grid">
            <${PlanCard} billing=${billing} onChanged=${reload} />
            <div class="bl-column"><${UsageCard} billing=${billing} /></div>
            <div class="bl-column">
              <${PaymentCard} billing=${billing} />
              ${can('account.read') && html`<${FiscalCard} />`}
            </div>
            <${InvoicesCard} />
          </div>
        `}
  </${AdminPage}>`;
}
