// "Métodos de pago" (seed 000, "Añadir medio de pago"): the account's cards (brand, last
// four digits, expiry, the default one), make one the default, remove one after asking,
// and "Añadir": Stripe's payment form (Stripe Elements, in Stripe's iframe) confirms a
// SetupIntent the API made, then the API attaches the card and makes it the default.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { navigate, route } from '../../router.js';
import { can } from '../../session.js';
import { Alert, Button } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, ConfirmDialog, EmptyState, Loading, Section, useLoad } from '../kit.js';
import { BACK, brandMark, brandName, expiry, NotConfigured, useBilling } from './common.js';
import { APPEARANCE, stripeClient } from './stripe.js';

const RETURN_PATH = '/admin/billing/payment-methods';

/** The id of what ``confirmSetup`` gives back as the SetupIntent's payment method. */
const methodId = (setupIntent) => (typeof setupIntent?.payment_method === 'string' ? setupIntent.payment_method : setupIntent?.payment_method?.id);

async function keep(setupIntent) {
  return api('POST', '/v1/billing/payment-methods', { payment_method_id: methodId(setupIntent), default: true });
}

function cardName(method) {
  return t('billing.methods.ending', { brand: brandName(method.brand), last4: method.last4 });
}

/** The form of a new card: Stripe's Payment Element mounted in our page, typed in its iframe. */
function AddCard({ billing, onAdded, onCancel }) {
  const slot = useRef(null);
  const parts = useRef(null);
  const phase = useSignal('loading'); // loading | ready | failed
  const problem = useSignal(null);
  const busy = useSignal(false);
  useEffect(() => {
    // on a phone the form opens below the list: bring it into view
    document.getElementById('billing-new-card')?.scrollIntoView({ block: 'nearest' });
    let live = true;
    let element = null;
    (async () => {
      const stripe = await stripeClient(billing.stripe_js_url, billing.publishable_key);
      const intent = await api('POST', '/v1/billing/setup-intents');
      if (!live) return;
      const elements = stripe.elements({ clientSecret: intent.client_secret, appearance: APPEARANCE });
      element = elements.create('payment', { layout: 'tabs' });
      element.mount(slot.current);
      parts.current = { stripe, elements };
      phase.value = 'ready';
    })().catch((error) => {
      if (!live) return;
      phase.value = 'failed';
      problem.value = error?.status !== undefined ? errorText(error) : t('billing.methods.stripeFailed');
    });
    return () => {
      live = false;
      element?.destroy?.();
    };
  }, []);

  async function submit(event) {
    event.preventDefault();
    if (!parts.current || busy.value) return;
    busy.value = true;
    problem.value = null;
    try {
      const { stripe, elements } = parts.current;
      const { error, setupIntent } = await stripe.confirmSetup({
        elements,
        redirect: 'if_required',
        confirmParams: { return_url: `${location.origin}${RETURN_PATH}` },
      });
      if (error) {
        // a card refused by its bank, or a field Stripe's form already marks
        problem.value = error.message || t('billing.methods.cardFailed');
        return;
      }
      onAdded(await keep(setupIntent));
    } catch (error) {
      problem.value = errorText(error);
    } finally {
      busy.value = false;
    }
  }

  return html`<${Section} title=${t('billing.methods.new')} id="billing-new-card" class="bl-new-card">
    <form class="bl-stripe-form" onSubmit=${submit} noValidate aria-describedby="billing-new-card-text">
      <p class="bl-muted" id="billing-new-card-text">
        <svg class="bl-lock" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 11h12v10H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3" /></svg>
        ${t('billing.methods.secure')}
      </p>
      ${phase.value === 'loading' &&
      html`<div class="admin-loading" role="status"><span class="spinner" aria-hidden="true"></span>${t('billing.methods.loadingForm')}</div>`}
      <div class="bl-stripe" ref=${slot}></div>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <div class="bl-form-actions">
        <button type="button" class="button button--secondary" onClick=${onCancel}>${t('admin.cancel')}</button>
        <${Button} type="submit" busy=${busy.value} busyLabel=${t('billing.methods.adding')} disabled=${phase.value !== 'ready' || busy.value}>${t('billing.methods.addButton')}</${Button}>
      </div>
    </form>
  </${Section}>`;
}

/** Back from a bank's own page (a card asking for it): the SetupIntent Stripe names in the
 * address is kept like one confirmed here, and the address cleaned. */
async function keepReturned(billing, query) {
  const secret = query.get('setup_intent_client_secret');
  if (!secret || !billing.configured) return null;
  navigate(RETURN_PATH, { replace: true });
  if (query.get('redirect_status') !== 'succeeded') throw new Error(t('billing.methods.cardFailed'));
  const stripe = await stripeClient(billing.stripe_js_url, billing.publishable_key);
  const { setupIntent, error } = await stripe.retrieveSetupIntent(secret);
  if (error) throw new Error(error.message);
  return keep(setupIntent);
}

function MethodList({ billing, onChanged }) {
  const manage = can('billing.manage');
  const { data, error, reload } = useLoad(() => api('GET', '/v1/billing/payment-methods'), billing.configured ? '' : null);
  const adding = useSignal(false);
  const removing = useSignal(null);
  const busy = useSignal(null);
  const problem = useSignal(null);
  useEffect(() => {
    keepReturned(billing, route.value.query).then(
      (method) => method && (tell(t('billing.methods.added', { card: cardName(method) })), changed()),
      (failure) => (problem.value = failure.status !== undefined ? errorText(failure) : failure.message),
    );
  }, []);
  const changed = () => {
    reload();
    onChanged(); // the subscription may have been paid with it: the banner reads it again
  };
  const makeDefault = async (method) => {
    busy.value = method.id;
    problem.value = null;
    try {
      await api('POST', `/v1/billing/payment-methods/${method.id}/default`);
      tell(t('billing.methods.defaultDone', { card: cardName(method) }));
      changed();
    } catch (failure) {
      problem.value = errorText(failure);
    } finally {
      busy.value = null;
    }
  };
  const items = data?.items ?? [];
  const canAdd = manage && billing.configured && !adding.value;
  return html`
    <${Section}
      title=${t('billing.methods.cards')}
      id="billing-methods"
      actions=${canAdd && html`<button type="button" class="button button--primary button--compact" onClick=${() => (adding.value = true)}>${t('billing.methods.add')}</button>`}
    >
      ${!billing.configured
        ? html`<${EmptyState} title=${t('billing.methods.none')} text=${t('billing.methods.notConfigured')} />`
        : !data
          ? html`<${Loading} error=${error} onRetry=${reload} />`
          : items.length === 0
            ? html`<${EmptyState} title=${t('billing.methods.none')} text=${t('billing.methods.noneText')} />`
            : html`<ul class="bl-methods">
                ${items.map(
                  (method) => html`<li class="bl-methods__row" key=${method.id}>
                    <span class="bl-card-line__icon" aria-hidden="true">${brandMark(method.brand)}</span>
                    <div class="bl-methods__main">
                      <p class="bl-card-line__name">${brandName(method.brand)} <span class="bl-dots">•••• ${method.last4}</span></p>
                      <p class="bl-muted">${t('billing.methods.expires', { date: expiry(method) })}</p>
                    </div>
                    ${method.default && html`<${Badge} tone="info">${t('billing.methods.default')}</${Badge}>`}
                    ${manage &&
                    html`<div class="bl-methods__actions">
                      ${!method.default &&
                      html`<${Button}
                        type="button"
                        variant="secondary"
                        class="button button--secondary button--compact"
                        busy=${busy.value === method.id}
                        aria-label=${t('billing.methods.makeDefaultOne', { card: cardName(method) })}
                        onClick=${() => makeDefault(method)}
                      >${t('billing.methods.makeDefault')}</${Button}>`}
                      <button
                        type="button"
                        class="button button--quiet button--compact"
                        aria-label=${t('billing.methods.removeOne', { card: cardName(method) })}
                        onClick=${() => (removing.value = method)}
                      >${t('billing.methods.remove')}</button>
                    </div>`}
                  </li>`,
                )}
              </ul>`}
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    </${Section}>
    ${adding.value &&
    html`<${AddCard}
      billing=${billing}
      onCancel=${() => (adding.value = false)}
      onAdded=${(method) => {
        adding.value = false;
        tell(t('billing.methods.added', { card: cardName(method) }));
        changed();
      }}
    />`}
    ${removing.value &&
    html`<${ConfirmDialog}
      title=${t('billing.methods.removeTitle', { card: cardName(removing.value) })}
      text=${t('billing.methods.removeText')}
      confirmLabel=${t('billing.methods.remove')}
      onConfirm=${async () => {
        await api('DELETE', `/v1/billing/payment-methods/${removing.value.id}`);
        tell(t('billing.methods.removed', { card: cardName(removing.value) }));
        changed();
      }}
      onClose=${() => (removing.value = null)}
    />`}
  `;
}

export function PaymentMethodsScreen() {
  const { data: billing, error, reload } = useBilling();
  return html`<${AdminPage} title=${t('billing.methods.title')} description=${t('billing.methods.description')} back=${BACK()}>
    ${!billing
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : html`
          ${!billing.configured && html`<${NotConfigured} />`}
          <${MethodList} billing=${billing} onChanged=${reload} />
        `}
  </${AdminPage}>`;
}
