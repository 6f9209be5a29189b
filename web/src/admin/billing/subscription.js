// "Editar suscripción" (seed 000, "Cambiar tipo de suscripción" and "Añadir Add-ons a tu
// plan"): the plan (Adereso Helpdesk Free, Lite or Pro) from a list, "Añadir añadidos"
// with a quantity per add-on, what it costs each month, and what Stripe would charge
// today for the change (POST /v1/billing/subscription/preview, asked a moment after the
// last change); "Actualizar suscripción" applies it (PUT /v1/billing/subscription).
// Free cancels at the end of the period. The API's refusals are shown in place.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { showBilling } from '../../billing-banner.js';
import { tell } from '../../notice.js';
import { Link, navigate } from '../../router.js';
import { can } from '../../session.js';
import { Button, Select, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, Loading, Section } from '../kit.js';
import {
  addonName,
  BACK,
  countOf,
  day,
  LIMITS,
  money,
  Note,
  NotConfigured,
  perMonth,
  planOf,
  RemoveList,
  useBilling,
} from './common.js';

/** A preview line named in the user's language ("2 × Usuario adicional"), Stripe's own
 * description for a line of no plan or add-on of ours. */
function lineName(billing, line) {
  const name = line.item ? planOf(billing, line.item)?.name ?? addonName(line.item) : null;
  return name ? `${line.quantity} × ${name}` : line.description;
}

/** How long after the last change the preview is asked for. */
const PREVIEW_DELAY_MS = 450;
const MAX_UNITS = 999;

const zeros = () => Object.fromEntries(LIMITS.map((limit) => [limit, 0]));

function sameAddons(a, b) {
  return LIMITS.every((limit) => (a?.[limit] ?? 0) === (b?.[limit] ?? 0));
}

/** The limits a choice gives: the plan's plus its add-ons. */
function limitsOf(billing, plan, addons) {
  const chosen = planOf(billing, plan);
  return Object.fromEntries(LIMITS.map((limit) => [limit, (chosen?.[limit] ?? 0) + (addons[limit] ?? 0)]));
}

/** What a choice leaves over its limits: [{limit, allowed, in_use, remove}]. */
function overOf(billing, plan, addons) {
  const allowed = limitsOf(billing, plan, addons);
  return LIMITS.map((limit) => ({ limit, allowed: allowed[limit], in_use: billing.limits?.[limit]?.in_use ?? 0 }))
    .filter((item) => item.in_use > item.allowed)
    .map((item) => ({ ...item, remove: item.in_use - item.allowed }));
}

function monthly(billing, plan, addons) {
  const chosen = planOf(billing, plan);
  let amount = chosen?.price?.amount ?? 0;
  let currency = chosen?.price?.currency ?? 'usd';
  for (const addon of billing.catalogue.addons) {
    const n = addons[addon.id] ?? 0;
    if (n && addon.price) {
      amount += addon.price.amount * n;
      currency = addon.price.currency;
    }
  }
  return { amount, currency };
}

/** One add-on: "Añadir" it, then how many (−, the number, +). */
function AddonRow({ addon, value, disabled, onChange }) {
  const id = useId('addon');
  const name = addonName(addon.id);
  const set = (n) => onChange(Math.max(0, Math.min(MAX_UNITS, Number.isFinite(n) ? Math.trunc(n) : 0)));
  return html`<li class="bl-addon">
    <div class="bl-addon__text">
      <p class="bl-addon__name" id=${`${id}-name`}>${name}</p>
      <p class="bl-muted">${t('billing.edit.addonEach', { price: perMonth(addon.price), what: countOf(addon.id, 1) })}</p>
    </div>
    ${value === 0
      ? html`<button type="button" class="button button--secondary button--compact" disabled=${disabled} aria-label=${t('billing.edit.addOne', { name })} onClick=${() => set(1)}>
          ${t('billing.edit.add')}
        </button>`
      : html`<div class="bl-stepper" role="group" aria-labelledby=${`${id}-name`}>
          <button type="button" class="bl-stepper__button" disabled=${disabled} aria-label=${t('billing.edit.less', { name })} title=${t('billing.edit.less', { name })} onClick=${() => set(value - 1)}>
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 12h12" /></svg>
          </button>
          <label class="visually-hidden" for=${id}>${t('billing.edit.quantity', { name })}</label>
          <input
            id=${id}
            class="bl-stepper__input"
            type="number"
            inputmode="numeric"
            min="0"
            max=${MAX_UNITS}
            step="1"
            value=${value}
            disabled=${disabled}
            onInput=${(event) => {
              const raw = event.currentTarget.value;
              if (raw !== '') set(Number.parseInt(raw, 10));
            }}
            onBlur=${(event) => (event.currentTarget.value = String(value))}
          />
          <button type="button" class="bl-stepper__button" disabled=${disabled || value >= MAX_UNITS} aria-label=${t('billing.edit.more', { name })} title=${t('billing.edit.more', { name })} onClick=${() => set(value + 1)}>
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 12h12M12 6v12" /></svg>
          </button>
        </div>`}
  </li>`;
}

/** What Stripe would charge today for the change, read a moment after the last one. */
function usePreview(billing, plan, addons, wanted) {
  const state = useSignal({ loading: false, data: null, error: null });
  const asked = useRef(0);
  const key = `${plan}|${LIMITS.map((limit) => addons[limit] ?? 0).join(',')}`;
  useEffect(() => {
    const ask = ++asked.current;
    if (!wanted) {
      state.value = { loading: false, data: null, error: null };
      return undefined;
    }
    state.value = { ...state.value, loading: true, error: null };
    const timer = setTimeout(() => {
      api('POST', '/v1/billing/subscription/preview', { plan, addons }).then(
        (data) => ask === asked.current && (state.value = { loading: false, data, error: null }),
        (error) => ask === asked.current && (state.value = { loading: false, data: null, error }),
      );
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [key, wanted]);
  return state.value;
}

function Preview({ preview, billing }) {
  const { loading, data, error } = preview;
  return html`<div class="bl-preview" aria-live="polite" aria-busy=${loading ? 'true' : 'false'}>
    ${loading && html`<p class="bl-muted bl-preview__wait"><span class="spinner" aria-hidden="true"></span>${t('billing.edit.previewing')}</p>`}
    ${!loading && error && html`<p class="bl-muted">${t('billing.edit.previewFailed', { reason: errorText(error) })}</p>`}
    ${!loading &&
    data &&
    html`<p class="bl-preview__due">${t('billing.edit.dueToday', { amount: money(data.amount_due, data.currency) })}</p>
      ${data.lines?.length > 0 &&
      html`<ul class="bl-preview__lines">
        ${data.lines.map(
          (line) => html`<li>
            <span>${lineName(billing, line)}${line.proration && html` <${Badge} tone="neutral">${t('billing.edit.proration')}</${Badge}>`}</span>
            <span class="bl-num">${money(line.amount, data.currency)}</span>
          </li>`,
        )}
      </ul>`}
      ${data.next_payment_at && html`<p class="bl-muted">${t('billing.edit.nextPayment', { date: day(data.next_payment_at) })}</p>`}`}
  </div>`;
}

/** A refusal of PUT /v1/billing/subscription, said where the person can act on it. */
function Refusal({ error }) {
  if (error.code === 'below_usage') {
    return html`<${Note} tone="danger" title=${t('billing.edit.belowUsage')}>
      <${RemoveList} items=${Array.isArray(error.details) ? error.details : []} can=${can} />
    </${Note}>`;
  }
  if (error.code === 'payment_method_required') {
    return html`<${Note} tone="danger" title=${t('billing.edit.needsMethod')}>
      <p>${t('billing.edit.needsMethodText')} <${Link} href="/admin/billing/payment-methods">${t('billing.edit.goToMethods')}</${Link}></p>
    </${Note}>`;
  }
  if (error.code === 'card_declined') {
    return html`<${Note} tone="danger" title=${t('error.card_declined')}>
      ${error.message && html`<p>${error.message}</p>`}
      <p><${Link} href="/admin/billing/payment-methods">${t('billing.edit.goToMethods')}</${Link}></p>
    </${Note}>`;
  }
  return html`<${Note} tone="danger" title=${t('billing.edit.failed')}><p>${errorText(error, 'billing')}</p></${Note}>`;
}

function SubscriptionForm({ billing, onSaved }) {
  const current = { plan: billing.plan, addons: { ...zeros(), ...(billing.subscription?.addons ?? billing.addons ?? {}) } };
  const plan = useSignal(current.plan);
  const addons = useSignal(current.addons);
  const showAddons = useSignal(LIMITS.some((limit) => current.addons[limit] > 0));
  const busy = useSignal(false);
  const refusal = useSignal(null);
  const paid = plan.value !== 'free';
  const chosenAddons = paid ? addons.value : zeros();
  const changed = plan.value !== current.plan || !sameAddons(chosenAddons, current.addons);
  const ending = billing.subscription?.cancel_at_period_end;
  const toFree = !paid && billing.subscription && billing.subscription.status !== 'canceled';
  const preview = usePreview(billing, plan.value, chosenAddons, billing.configured && paid && changed);
  const over = overOf(billing, plan.value, chosenAddons);
  const total = monthly(billing, plan.value, chosenAddons);
  const limits = limitsOf(billing, plan.value, chosenAddons);
  const chosenPlan = planOf(billing, plan.value);

  const choosePlan = (value) => {
    plan.value = value;
    refusal.value = null;
  };
  const setAddon = (id, n) => {
    addons.value = { ...addons.value, [id]: n };
    refusal.value = null;
  };

  async function submit(event) {
    event.preventDefault();
    if (!changed || busy.value || !billing.configured) return;
    busy.value = true;
    refusal.value = null;
    try {
      const saved = await api('PUT', '/v1/billing/subscription', { plan: plan.value, addons: chosenAddons });
      onSaved(saved, plan.value);
    } catch (error) {
      refusal.value = error;
      busy.value = false;
    }
  }

  const plans = billing.catalogue.plans;
  let reason = null;
  if (!billing.configured) reason = t('billing.edit.notConfigured');
  else if (!changed) reason = ending && !paid ? t('billing.edit.alreadyEnding', { date: day(billing.subscription.current_period_end) }) : t('billing.edit.unchanged');

  return html`<form class="bl-edit" onSubmit=${submit} noValidate>
    <div class="bl-edit__choices">
      <${Section} title=${t('billing.edit.plan')} id="billing-edit-plan">
        <${Select}
          label=${t('billing.edit.planLabel')}
          value=${plan.value}
          onChange=${choosePlan}
          options=${plans.map((p) => [p.id, `${p.name} — ${perMonth(p.price)}`])}
        />
        <ul class="bl-plans" aria-label=${t('billing.edit.compare')}>
          ${plans.map(
            (p) => html`<li class=${`bl-plans__item${p.id === plan.value ? ' bl-plans__item--chosen' : ''}`} aria-current=${p.id === plan.value ? 'true' : undefined}>
              <p class="bl-plans__name">
                ${p.name}
                ${p.id === current.plan && html` <${Badge} tone="info">${t('billing.edit.currentPlan')}</${Badge}>`}
              </p>
              <p class="bl-plans__price">${perMonth(p.price)}</p>
              <ul class="bl-plans__limits">
                ${LIMITS.map((limit) => html`<li>${countOf(limit, p[limit] ?? 0)}</li>`)}
              </ul>
            </li>`,
          )}
        </ul>
        ${toFree &&
        html`<${Note} tone="info" title=${t('billing.edit.toFree', { date: day(billing.subscription.current_period_end) })}>
          <p>${t('billing.edit.toFreeText', { plan: billing.plan_name })}</p>
        </${Note}>`}
      </${Section}>

      <${Section} title=${t('billing.edit.addons')} id="billing-edit-addons">
        ${!paid
          ? html`<p class="bl-muted">${t('billing.edit.addonsNeedPlan')}</p>`
          : !showAddons.value
            ? html`<p class="bl-muted">${t('billing.edit.addonsIntro')}</p>
                <p><button type="button" class="button button--secondary" onClick=${() => (showAddons.value = true)}>${t('billing.edit.showAddons')}</button></p>`
            : html`<p class="bl-muted">${t('billing.edit.addonsIntro')}</p>
                <ul class="bl-addon-list">
                  ${billing.catalogue.addons.map(
                    (addon) => html`<${AddonRow} key=${addon.id} addon=${addon} value=${addons.value[addon.id] ?? 0} disabled=${busy.value} onChange=${(n) => setAddon(addon.id, n)} />`,
                  )}
                </ul>`}
      </${Section}>
    </div>

    <aside class="bl-edit__summary" aria-labelledby="billing-summary-title">
      <${Section} title=${t('billing.edit.summary')} id="billing-summary">
        <ul class="bl-summary">
          <li>
            <span>${chosenPlan?.name ?? plan.value}</span>
            <span class="bl-num">${chosenPlan?.price ? money(chosenPlan.price.amount, chosenPlan.price.currency) : t('billing.free')}</span>
          </li>
          ${billing.catalogue.addons
            .filter((addon) => chosenAddons[addon.id] > 0)
            .map(
              (addon) => html`<li>
                <span>${chosenAddons[addon.id]} × ${addonName(addon.id)}</span>
                <span class="bl-num">${addon.price ? money(addon.price.amount * chosenAddons[addon.id], addon.price.currency) : '—'}</span>
              </li>`,
            )}
          <li class="bl-summary__total">
            <span>${t('billing.edit.monthlyTotal')}</span>
            <span class="bl-num">${money(total.amount, total.currency)}</span>
          </li>
        </ul>
        <p class="bl-muted bl-summary__limits">${t('billing.edit.youGet', { limits: LIMITS.map((limit) => countOf(limit, limits[limit])).join(' · ') })}</p>
        ${changed &&
        over.length > 0 &&
        html`<${Note} tone="warn" title=${t('billing.edit.overTitle')}>
          <${RemoveList} items=${over} can=${can} />
        </${Note}>`}
        ${billing.configured && paid && changed && html`<${Preview} preview=${preview} billing=${billing} />`}
        ${refusal.value && html`<${Refusal} error=${refusal.value} />`}
        <${Button} type="submit" class="button button--primary bl-apply" busy=${busy.value} busyLabel=${t('billing.edit.applying')} disabled=${!changed || !billing.configured || busy.value} aria-describedby=${reason ? 'billing-apply-why' : undefined}>
          ${t('billing.edit.apply')}
        </${Button}>
        ${reason && html`<p class="bl-muted bl-apply__why" id="billing-apply-why">${reason}</p>`}
      </${Section}>
    </aside>
  </form>`;
}

export function SubscriptionScreen() {
  const { data: billing, error, reload } = useBilling();
  const onSaved = (saved, plan) => {
    // the API answers the whole billing state (GET /v1/billing's shape)
    const ends = (saved?.subscription ?? saved)?.current_period_end;
    if (plan === 'free') tell(ends ? t('billing.edit.endsOn', { date: day(ends) }) : t('billing.edit.done'));
    else tell(t('billing.edit.done'));
    if (saved?.catalogue) showBilling(saved);
    navigate('/admin/billing');
  };
  return html`<${AdminPage} title=${t('billing.edit.title')} description=${t('billing.edit.description')} back=${BACK()} wide>
    ${!billing
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : html`
          ${!billing.configured && html`<${NotConfigured} />`}
          <${SubscriptionForm} billing=${billing} onSaved=${onSaved} />
        `}
  </${AdminPage}>`;
}
