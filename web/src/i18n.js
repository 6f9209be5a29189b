// Texts in Spanish (the default), Portuguese and English. The language is the one the
// person chose on this device, else their company's, else the browser's.
import { computed, effect, signal } from '@preact/signals';
import esBase from './i18n/es.js';
import ptBase from './i18n/pt.js';
import enBase from './i18n/en.js';
import esTicket from './i18n/ticket.es.js';
import ptTicket from './i18n/ticket.pt.js';
import enTicket from './i18n/ticket.en.js';
import esHeader from './i18n/header.es.js';
import ptHeader from './i18n/header.pt.js';
import enHeader from './i18n/header.en.js';
import esLive from './i18n/live.es.js';
import ptLive from './i18n/live.pt.js';
import enLive from './i18n/live.en.js';
import esAdmin from './i18n/admin.es.js';
import ptAdmin from './i18n/admin.pt.js';
import enAdmin from './i18n/admin.en.js';
import esDeskOrders from './i18n/desk-orders.es.js';
import ptDeskOrders from './i18n/desk-orders.pt.js';
import enDeskOrders from './i18n/desk-orders.en.js';

// one catalog per language, from the base texts and each area's file (an area of the
// console keeps its texts apart: web/src/i18n/<area>.<language>.js)
const es = { ...esBase, ...esTicket, ...esHeader, ...esLive, ...esAdmin, ...esDeskOrders };
const pt = { ...ptBase, ...ptTicket, ...ptHeader, ...ptLive, ...ptAdmin, ...ptDeskOrders };
const en = { ...enBase, ...enTicket, ...enHeader, ...enLive, ...enAdmin, ...enDeskOrders };

export const CATALOGS = { es, pt, en };

/** Adds texts that arrive with a lazily loaded part of the console (web/src/admin/all.js):
 * ``{es: [catalog, ...], pt: [...], en: [...]}``. */
export function addTexts(byLocale) {
  for (const [code, catalogs] of Object.entries(byLocale)) Object.assign(CATALOGS[code], ...catalogs);
}
export const LOCALES = ['es', 'pt', 'en'];
const STORED = 'atiende.locale';

function stored() {
  try {
    const value = localStorage.getItem(STORED);
    return LOCALES.includes(value) ? value : null;
  } catch {
    return null;
  }
}

function browser() {
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (LOCALES.includes(base)) return base;
  }
  return 'es';
}

/** The language chosen with the picker on this device (wins over the company's). */
export const chosenLocale = signal(stored());
/** The company's language, from /v1/me. */
export const tenantLocale = signal(null);
export const locale = computed(() => chosenLocale.value || tenantLocale.value || browser());

/** The BCP 47 tag for Intl: the product's markets first. */
export const localeTag = computed(() => ({ es: 'es-CL', pt: 'pt-BR', en: 'en-US' })[locale.value]);

export function chooseLocale(value) {
  chosenLocale.value = value;
  try {
    localStorage.setItem(STORED, value);
  } catch {
    // private mode: the choice lasts until the tab closes
  }
}

/** The text of ``key`` in the current language, with ``{name}`` placeholders filled. */
export function t(key, params) {
  const text = CATALOGS[locale.value][key] ?? es[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? '')) : text;
}

effect(() => {
  document.documentElement.lang = localeTag.value;
});
