// The past-due banner (issue 14): when the subscription's last charge failed, every page
// of the console says so under the header to whoever may fix it (admins and account
// contacts: billing.read), with a link to "Métodos de pago". Its state is one
// GET /v1/billing when the header first shows for those roles (other roles never ask);
// the billing pages hand over each answer they read, so a fixed card hides it at once.
//
// Its texts come with the administration chunk (web/src/i18n/admin-billing.*.js), loaded
// only when there is something to say: the board's first bundle stays as it was.
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from './api.js';
import './billing-banner.css';
import { html } from './html.js';
import { t } from './i18n.js';
import { Link, route } from './router.js';
import { can, me } from './session.js';
import { loadAdmin } from './admin/load.js';

/** ``{user, past_due}`` of the last GET /v1/billing, or null. */
const state = signal(null);
/** Whether the texts (the administration chunk) are there. */
const texts = signal(false);
/** The sign-in (``me``'s answer) the state was asked for: once per sign-in. */
let askedFor = null;

/** Takes an answer of GET /v1/billing (the billing pages read it too). */
export function showBilling(billing) {
  const user = me.value?.user.id ?? null;
  state.value = { user, pastDue: Boolean(billing?.past_due) };
  if (state.value.pastDue && !texts.value) {
    loadAdmin().then(
      () => (texts.value = true),
      () => {},
    );
  }
}

export function BillingBanner() {
  const user = me.value?.user.id ?? null;
  const allowed = can('billing.read');
  const who = me.value;
  useEffect(() => {
    if (!allowed || !who || askedFor === who) return;
    askedFor = who;
    api('GET', '/v1/billing').then(showBilling, () => {
      askedFor = null; // asked again on the next screen
    });
  }, [who, allowed]);
  const now = state.value;
  if (!allowed || !now?.pastDue || now.user !== user || !texts.value) return null;
  const here = route.value.path === '/admin/billing/payment-methods';
  return html`<div class="billing-banner" role="alert">
    <svg class="billing-banner__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 7h18v10H3zM3 11h18M7 15h3" /></svg>
    <p class="billing-banner__text">${t('billing.banner.text')}</p>
    ${!here && html`<${Link} href="/admin/billing/payment-methods" class="billing-banner__link">${t('billing.banner.link')}</${Link}>`}
  </div>`;
}
