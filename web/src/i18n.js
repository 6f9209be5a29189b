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
import esAdminAccount from './i18n/admin-account.es.js';
import ptAdminAccount from './i18n/admin-account.pt.js';
import enAdminAccount from './i18n/admin-account.en.js';
import esAdminChannels from './i18n/admin-channels.es.js';
import ptAdminChannels from './i18n/admin-channels.pt.js';
import enAdminChannels from './i18n/admin-channels.en.js';
import esAdminSettings from './i18n/admin-settings.es.js';
import ptAdminSettings from './i18n/admin-settings.pt.js';
import enAdminSettings from './i18n/admin-settings.en.js';
import esAdminDesk from './i18n/admin-desk.es.js';
import ptAdminDesk from './i18n/admin-desk.pt.js';
import enAdminDesk from './i18n/admin-desk.en.js';
import esAdminKinds from './i18n/admin-kinds.es.js';
import ptAdminKinds from './i18n/admin-kinds.pt.js';
import enAdminKinds from './i18n/admin-kinds.en.js';
import esAdminChat from './i18n/admin-chat.es.js';
import ptAdminChat from './i18n/admin-chat.pt.js';
import enAdminChat from './i18n/admin-chat.en.js';
import esAdminInteg from './i18n/admin-integ.es.js';
import ptAdminInteg from './i18n/admin-integ.pt.js';
import enAdminInteg from './i18n/admin-integ.en.js';

// one catalog per language, from the base texts and each area's file (an area of the
// console keeps its texts apart: web/src/i18n/<area>.<language>.js)
const es = { ...esBase, ...esTicket, ...esHeader, ...esLive, ...esAdmin, ...esAdminAccount, ...esAdminChannels, ...esAdminSettings, ...esAdminDesk, ...esAdminKinds, ...esAdminChat, ...esAdminInteg };
const pt = { ...ptBase, ...ptTicket, ...ptHeader, ...ptLive, ...ptAdmin, ...ptAdminAccount, ...ptAdminChannels, ...ptAdminSettings, ...ptAdminDesk, ...ptAdminKinds, ...ptAdminChat, ...ptAdminInteg };
const en = { ...enBase, ...enTicket, ...enHeader, ...enLive, ...enAdmin, ...enAdminAccount, ...enAdminChannels, ...enAdminSettings, ...enAdminDesk, ...enAdminKinds, ...enAdminChat, ...enAdminInteg };

export const CATALOGS = { es, pt, en };
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
