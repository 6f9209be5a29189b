// /admin/contacts (seed 004): the people of the customer company who get the system's
// emails, each with five email preferences; with portal access, a contact is invited as
// an account_contact user (the seed's "Sub-Conta") and signs in to the portal. Admins
// and account contacts both manage this list.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { can, me } from '../../session.js';
import { Alert, Button, Dialog, Field, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, ConfirmDialog, EmptyState, HistoryButton, Loading, Section } from '../kit.js';
import { useLoad } from '../kit.js';
import './integrations.css';

const PREFERENCES = ['general', 'products', 'channels', 'billing', 'support'];
const ADDRESS = ['address', 'neighbourhood', 'city', 'state', 'postal_code', 'country'];
const TEXT_FIELDS = ['first_name', 'last_name', 'company', 'email', ...ADDRESS, 'phone'];
const LIMITS = { first_name: 100, last_name: 100, company: 200, email: 254, address: 300, postal_code: 20, phone: 40 };
const AUTOCOMPLETE = {
  first_name: 'off',
  last_name: 'off',
  email: 'off',
  address: 'off',
  postal_code: 'off',
  phone: 'off',
};

function blank() {
  const form = Object.fromEntries(TEXT_FIELDS.map((name) => [name, '']));
  return { ...form, tax_id: '', portal_access: false, email_preferences: { general: true, products: false, channels: false, billing: false, support: false } };
}

function ContactDialog({ contact, onClose, onSaved }) {
  const formId = useId('contact-form');
  const form = useSignal(contact ? { ...blank(), ...contact, tax_id: '' } : blank());
  const busy = useSignal(false);
  const problem = useSignal(null);
  const errors = useSignal({});
  const set = (name, value) => {
    form.value = { ...form.value, [name]: value };
    if (errors.value[name]) errors.value = { ...errors.value, [name]: undefined };
  };
  const prefer = (kind, on) => set('email_preferences', { ...form.value.email_preferences, [kind]: on });

  async function submit(event) {
    event.preventDefault();
    problem.value = null;
    const found = {};
    for (const name of ['first_name', 'last_name', 'email']) if (!form.value[name].trim()) found[name] = t('field.required');
    errors.value = found;
    if (Object.keys(found).length) return;
    const body = Object.fromEntries(TEXT_FIELDS.map((name) => [name, form.value[name].trim()]));
    body.portal_access = form.value.portal_access;
    body.email_preferences = form.value.email_preferences;
    busy.value = true;
    try {
      const saved = contact ? await api('PATCH', `/v1/account-contacts/${contact.id}`, body) : await api('POST', '/v1/account-contacts', body);
      onSaved(saved, !contact?.portal_access && saved.portal_access);
    } catch (error) {
      problem.value = errorText(error);
      errors.value = fieldErrors(error);
      busy.value = false;
    }
  }

  const field = (name, extra = {}) => html`<${Field}
    label=${t(`integ.contacts.field.${name}`)}
    value=${form.value[name]}
    error=${errors.value[name]}
    required=${['first_name', 'last_name', 'email'].includes(name)}
    maxLength=${LIMITS[name] ?? 100}
    autocomplete=${AUTOCOMPLETE[name]}
    onInput=${(v) => set(name, v)}
    ...${extra}
  />`;
  const hadAccess = Boolean(contact?.portal_access);

  return html`<${Dialog}
    title=${contact ? t('integ.contacts.editTitle') : t('integ.contacts.newTitle')}
    description=${t('integ.contacts.formText')}
    size="lg"
    onClose=${onClose}
    footer=${html`
      ${contact && can('history.read') && html`<span class="dialog-history"><${HistoryButton} path=${`/v1/account-contacts/${contact.id}/history`} label=${`${contact.first_name} ${contact.last_name}`} /></span>`}
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('admin.cancel')}</${Button}>
      <${Button} type="submit" form=${formId} busy=${busy.value}>${t('integ.contacts.save')}</${Button}>
    `}
  >
    <form id=${formId} class="contact-form" onSubmit=${submit} noValidate>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <fieldset class="contact-form__group">
        <legend class="contact-form__legend">${t('integ.contacts.personTitle')}</legend>
        <div class="contact-form__grid">
          ${field('first_name')} ${field('last_name')}
          ${field('company', { hint: t('integ.contacts.hint.company') })}
          ${field('email', { type: 'email', hint: t('integ.contacts.hint.email') })}
          ${field('phone', { type: 'tel' })}
          <${Field}
            label=${t('integ.contacts.field.tax_id')}
            value=${form.value.tax_id}
            required=${false}
            hint=${t('integ.contacts.hint.tax_id')}
            maxLength="50"
            onInput=${(v) => set('tax_id', v)}
          />
        </div>
      </fieldset>
      <fieldset class="contact-form__group">
        <legend class="contact-form__legend">${t('integ.contacts.addressTitle')}</legend>
        <div class="contact-form__grid">${ADDRESS.map((name) => field(name))}</div>
      </fieldset>
      <fieldset class="contact-form__group">
        <legend class="contact-form__legend">${t('integ.contacts.preferencesTitle')}</legend>
        <p class="field__hint">${t('integ.contacts.preferencesText')}</p>
        <div class="contact-prefs">
          ${PREFERENCES.map(
            (kind) => html`<label class="contact-pref">
              <input
                type="checkbox"
                checked=${form.value.email_preferences[kind]}
                onChange=${(e) => prefer(kind, e.currentTarget.checked)}
                aria-describedby=${`${formId}-${kind}`}
              />
              <span>
                <span class="contact-pref__name">${t(`integ.contacts.pref.${kind}`)}</span>
                <span class="contact-pref__hint" id=${`${formId}-${kind}`}>${t(`integ.contacts.prefHint.${kind}`)}</span>
              </span>
            </label>`,
          )}
        </div>
      </fieldset>
      <label class="contact-portal">
        <input
          type="checkbox"
          checked=${form.value.portal_access}
          onChange=${(e) => set('portal_access', e.currentTarget.checked)}
          aria-describedby=${`${formId}-portal`}
        />
        <span>
          <span class="contact-pref__name">${t('integ.contacts.portal')}</span>
          <span class="contact-pref__hint" id=${`${formId}-portal`}
            >${hadAccess ? t('integ.contacts.portalHintOn') : t('integ.contacts.portalHint')}</span
          >
        </span>
      </label>
    </form>
  </${Dialog}>`;
}

function PrefBadges({ preferences }) {
  const on = PREFERENCES.filter((kind) => preferences[kind]);
  if (!on.length) return html`<span class="admin-table__muted">${t('integ.contacts.noEmails')}</span>`;
  return html`<ul class="integ-chips integ-chips--sm">${on.map((kind) => html`<li class="integ-chip">${t(`integ.contacts.prefShort.${kind}`)}</li>`)}</ul>`;
}

export function ContactsScreen() {
  const page = useLoad(() => api('GET', '/v1/account-contacts?limit=100'), '');
  const extra = useSignal([]);
  const next = useSignal(undefined);
  const editing = useSignal(null); // a contact, or 'new'
  const removing = useSignal(null);
  const manage = can('account_contacts.manage');
  const items = page.data ? [...page.data.items, ...extra.value] : null;
  const cursor = next.value === undefined ? page.data?.next_cursor : next.value;
  const reload = () => {
    extra.value = [];
    next.value = undefined;
    page.reload();
  };
  const more = async () => {
    try {
      const found = await api('GET', `/v1/account-contacts?limit=100&cursor=${encodeURIComponent(cursor)}`);
      extra.value = [...extra.value, ...found.items];
      next.value = found.next_cursor;
    } catch (failure) {
      tell(errorText(failure), 'error');
    }
  };
  const add = manage && html`<${Button} type="button" onClick=${() => (editing.value = 'new')}>${t('integ.contacts.add')}</${Button}>`;
  const myself = me.value?.user.id;

  let body;
  if (!items) body = html`<${Loading} error=${page.error} onRetry=${page.reload} />`;
  else if (!items.length) body = html`<${EmptyState} title=${t('integ.contacts.emptyTitle')} text=${t('integ.contacts.emptyText')} action=${add} />`;
  else {
    body = html`<div class="admin-table-wrap">
        <table class="admin-table integ-stack">
          <thead>
            <tr>
              <th scope="col">${t('integ.contacts.col.name')}</th>
              <th scope="col">${t('integ.contacts.col.email')}</th>
              <th scope="col">${t('integ.contacts.col.emails')}</th>
              <th scope="col">${t('integ.contacts.col.portal')}</th>
              ${manage && html`<th scope="col"><span class="visually-hidden">${t('integ.contacts.col.actions')}</span></th>`}
            </tr>
          </thead>
          <tbody>
            ${items.map((contact) => {
              const name = `${contact.first_name} ${contact.last_name}`;
              return html`<tr key=${contact.id}>
                <td data-label=${t('integ.contacts.col.name')}>
                  <div class="integ-name">${name}</div>
                  ${contact.company && html`<div class="admin-table__muted">${contact.company}</div>`}
                </td>
                <td data-label=${t('integ.contacts.col.email')}>${contact.email}${contact.phone && html`<div class="admin-table__muted">${contact.phone}</div>`}</td>
                <td data-label=${t('integ.contacts.col.emails')}><${PrefBadges} preferences=${contact.email_preferences} /></td>
                <td data-label=${t('integ.contacts.col.portal')}>${contact.portal_access ? html`<${Badge} tone="info">${t('integ.contacts.portalOn')}</${Badge}>` : html`<${Badge}>${t('integ.contacts.portalOff')}</${Badge}>`}</td>
                ${manage &&
                html`<td class="admin-table__actions">
                  <button type="button" class="button integ-quiet" aria-label=${t('integ.contacts.editNamed', { name })} onClick=${() => (editing.value = contact)}>${t('integ.contacts.edit')}</button>
                  ${contact.portal_user_id !== myself &&
                  html`<button type="button" class="button integ-quiet integ-danger" aria-label=${t('integ.contacts.deleteNamed', { name })} onClick=${() => (removing.value = contact)}>${t('integ.contacts.delete')}</button>`}
                </td>`}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${cursor && html`<p class="integ-more"><button type="button" class="button button--secondary" onClick=${more}>${t('integ.log.more')}</button></p>`}`;
  }

  return html`<${AdminPage} title=${t('integ.contacts.title')} description=${t('integ.contacts.description')} actions=${items?.length ? add : null}>
    <${Section} id="contacts" class="integ-card" title=${t('integ.contacts.listTitle')}>${body}</${Section}>
    ${editing.value &&
    html`<${ContactDialog}
      contact=${editing.value === 'new' ? null : editing.value}
      onClose=${() => (editing.value = null)}
      onSaved=${(saved, invited) => {
        editing.value = null;
        tell(invited ? t('integ.contacts.invited', { email: saved.email }) : t('integ.contacts.saved'));
        reload();
      }}
    />`}
    ${removing.value &&
    html`<${ConfirmDialog}
      title=${t('integ.contacts.deleteTitle')}
      text=${removing.value.portal_access ? t('integ.contacts.deleteTextPortal') : t('integ.contacts.deleteText')}
      confirmLabel=${t('integ.contacts.deleteConfirm')}
      onConfirm=${async () => {
        await api('DELETE', `/v1/account-contacts/${removing.value.id}`);
        tell(t('integ.contacts.deleted'));
        reload();
      }}
      onClose=${() => (removing.value = null)}
    />`}
  </${AdminPage}>`;
}
