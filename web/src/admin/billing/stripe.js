// Stripe.js, loaded from Stripe (never bundled, never hosted by us: PCI's SAQ A and
// Stripe's fraud signals need it so) the first time a card is added: one <script> for the
// page's life, at the address GET /v1/billing gives (`stripe_js_url`; the fake Stripe's
// stand-in in tests and `make run`). The card is typed in Stripe's iframe: its number
// never touches this page. The CSP names Stripe's origins (devstack/front.py,
// infra/console.yaml).
import { locale } from '../../i18n.js';

let loading = null;
let loadedFrom = null;
const clients = new Map();

function script(url) {
  if (loading && loadedFrom === url) return loading;
  loadedFrom = url;
  loading = new Promise((resolve, reject) => {
    if (typeof window.Stripe === 'function') {
      resolve(window.Stripe);
      return;
    }
    const tag = document.createElement('script');
    tag.src = url;
    tag.async = true;
    tag.addEventListener('load', () => (typeof window.Stripe === 'function' ? resolve(window.Stripe) : reject(new Error('Stripe.js did not start'))));
    tag.addEventListener('error', () => reject(new Error('Stripe.js could not be loaded')));
    document.head.append(tag);
  }).catch((error) => {
    loading = null; // another try may work (the network came back)
    throw error;
  });
  return loading;
}

/** Stripe's language for the console's: Latin American Spanish, Brazilian Portuguese. */
const STRIPE_LOCALE = { es: 'es-419', pt: 'pt-BR', en: 'en' };

/** The Stripe client of ``publishableKey`` (one per key and language). */
export async function stripeClient(url, publishableKey) {
  const Stripe = await script(url);
  const key = `${publishableKey}|${locale.value}`;
  if (!clients.has(key)) clients.set(key, Stripe(publishableKey, { locale: STRIPE_LOCALE[locale.value] ?? 'auto' }));
  return clients.get(key);
}

/** How Stripe's payment form looks: the console's colours, radius and font. */
export const APPEARANCE = {
  theme: 'stripe',
  variables: {
    colorPrimary: '#138f88',
    colorText: '#111c2d',
    colorDanger: '#c62f2f',
    borderRadius: '6px',
    fontFamily: 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  },
};
