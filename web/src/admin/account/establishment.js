// Establecimiento (seed 000): the company's name, the admin's email, address, language and
// timezone, and the fiscal data the invoices carry (legal name, tax id, billing address,
// first and last name, purchase-order number). Editing needs account.manage.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t, tenantLocale } from '../../i18n.js';
import { timezone } from '../../format.js';
import { tell } from '../../notice.js';
import { can } from '../../session.js';
import { Alert, Button, Field, Select, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Loading, Section } from '../kit.js';
import { useLoad } from '../kit.js';
import './account.css';

const FISCAL = ['legal_name', 'tax_id', 'billing_address', 'first_name', 'last_name', 'purchase_order'];
const LIMITS = { legal_name: 200, tax_id: 50, billing_address: 300, first_name: 100, last_name: 100, purchase_order: 100 };

/** Every IANA zone the browser knows, with the company's own first when it is missing. */
export function timezones(current) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  if (!zones.includes('UTC')) zones = [...zones, 'UTC'];
  return current && !zones.includes(current) ? [current, ...zones] : zones;
}

function EstablishmentForm({ establishment, onSaved }) {
  const editable = can('account.manage');
  const formId = useId('establishment');
  const values = useSignal({
    name: establishment.name,
    admin_email: establishment.admin_email,
    address: establishment.address ?? '',
    locale: establishment.locale,
    timezone: establishment.timezone,
    ...Object.fromEntries(FISCAL.map((f) => [`fiscal.${f}`, establishment.fiscal?.[f] ?? ''])),
  });
  const errors = useSignal({});
  const problem = useSignal(null);
  const busy = useSignal(false);
  const v = values.value;
  const set = (key) => (value) => {
    values.value = { ...values.value, [key]: value };
    if (errors.value[key]) errors.value = { ...errors.value, [key]: undefined };
  };

  async function submit(event) {
    event.preventDefault();
    problem.value = null;
    if (!v.name.trim()) {
      errors.value = { name: t('field.required') };
      return;
    }
    errors.value = {};
    busy.value = true;
    const body = {
      name: v.name.trim(),
      admin_email: v.admin_email.trim(),
      address: v.address.trim(),
      locale: v.locale,
      timezone: v.timezone,
      fiscal: Object.fromEntries(FISCAL.map((f) => [f, v[`fiscal.${f}`].trim()])),
    };
    try {
      const saved = await api('PATCH', '/v1/establishment', body);
      tenantLocale.value = saved.locale; // the console follows the company's language and time
      timezone.value = saved.timezone;
      tell(t('establishment.saved'));
      onSaved(saved);
    } catch (error) {
      problem.value = errorText(error);
      // a fiscal field's error names its own key (legal_name, first_name...): kept apart
      // from the company's name and email by where it came from
      const found = {};
      for (const detail of Array.isArray(error.details) ? error.details : []) {
        const loc = detail.loc ?? [];
        const key = loc.includes('fiscal') ? `fiscal.${loc[loc.length - 1]}` : loc[loc.length - 1];
        found[key] = Object.values(fieldErrors({ details: [detail] }))[0];
      }
      errors.value = found;
    } finally {
      busy.value = false;
    }
  }

  const field = (key, label, extra = {}) => html`<${Field}
    label=${label}
    value=${v[key]}
    error=${errors.value[key]}
    onInput=${set(key)}
    readOnly=${!editable}
    required=${false}
    autocomplete="off"
    ...${extra}
  />`;
  const zones = timezones(v.timezone);
  return html`<form id=${formId} onSubmit=${submit} noValidate class="establishment">
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    <${Section} title=${t('establishment.company')} id="establishment-company">
      <div class="admin-form admin-form--wide">
        ${field('name', t('establishment.name'), { required: true, maxLength: 200 })}
        ${field('admin_email', t('establishment.adminEmail'), { type: 'email', hint: t('establishment.adminEmailHint') })}
        <div class="establishment__full">${field('address', t('establishment.address'), { maxLength: 300 })}</div>
        <${Select}
          label=${t('establishment.locale')}
          value=${v.locale}
          disabled=${!editable}
          options=${['es', 'pt', 'en'].map((code) => [code, t(`establishment.locale.${code}`)])}
          onChange=${set('locale')}
        />
        <${Select}
          label=${t('establishment.timezone')}
          value=${v.timezone}
          disabled=${!editable}
          options=${zones.map((zone) => [zone, zone.replaceAll('_', ' ')])}
          onChange=${set('timezone')}
        />
        ${errors.value.timezone && html`<p class="field__error">${errors.value.timezone}</p>`}
      </div>
    </${Section}>
    <${Section} title=${t('establishment.fiscal')} id="establishment-fiscal">
      <p class="establishment__lead">${t('establishment.fiscalText')}</p>
      <div class="admin-form admin-form--wide">
        ${FISCAL.map((f) => field(`fiscal.${f}`, t(`establishment.fiscal.${f}`), { maxLength: LIMITS[f] }))}
      </div>
    </${Section}>
    ${editable &&
    html`<div class="establishment__save">
      <${Button} type="submit" busy=${busy.value} busyLabel=${t('establishment.saving')}>${t('establishment.save')}</${Button}>
    </div>`}
  </form>`;
}

export function EstablishmentScreen() {
  const { data, error, reload } = useLoad(() => api('GET', '/v1/establishment'), '');
  const saved = useSignal(null);
  const establishment = saved.value ?? data;
  return html`<${AdminPage}
    title=${t('establishment.title')}
    description=${can('account.manage') ? t('establishment.description') : t('establishment.readOnly')}
    back=${{ href: '/admin/account', label: t('account.title') }}
  >
    ${establishment
      ? html`<${EstablishmentForm} establishment=${establishment} onSaved=${(next) => (saved.value = next)} />`
      : html`<${Loading} error=${error} onRetry=${reload} />`}
  </${AdminPage}>`;
}
