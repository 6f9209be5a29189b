// The form of a user (create in a dialog on /admin/users, edit on /admin/users/{id}): first
// and last name, email, role, the optional permissions of that role only, departments.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { can } from '../../session.js';
import { checkEmail, required } from '../../screens/checks.js';
import { Alert, Button, Field, Select, useId } from '../../ui.js';
import { OPTIONAL_PERMISSIONS, ROLES, roleName } from './people.js';

/** A list of checkboxes, each with a name and an optional line under it. */
export function CheckList({ legend, hint, options, chosen, onChange, empty, error }) {
  const id = useId('checklist');
  const flip = (key) => onChange(chosen.includes(key) ? chosen.filter((k) => k !== key) : [...chosen, key]);
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return html`<fieldset class="checklist" aria-describedby=${described}>
    <legend class="field__label">${legend}</legend>
    ${hint && html`<p class="field__hint" id=${`${id}-hint`}>${hint}</p>`}
    ${options.length === 0
      ? html`<p class="checklist__empty">${empty}</p>`
      : html`<ul class="checklist__list">
          ${options.map(
            ([key, text, detail]) => html`<li>
              <label class=${`checklist__item${chosen.includes(key) ? ' checklist__item--on' : ''}`}>
                <input type="checkbox" checked=${chosen.includes(key)} onChange=${() => flip(key)} />
                <span class="checklist__text">
                  <span class="checklist__name">${text}</span>
                  ${detail && html`<span class="checklist__detail">${detail}</span>`}
                </span>
              </label>
            </li>`,
          )}
        </ul>`}
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </fieldset>`;
}

/** The departments a user may belong to (none when the role may not read them). */
function useDepartments() {
  const list = useSignal([]);
  useEffect(() => {
    if (!can('departments.read')) return;
    api('GET', '/v1/departments?limit=100').then(
      (page) => (list.value = page.items),
      () => (list.value = []),
    );
  }, []);
  return list.value;
}

/** ``user`` null: a new user (POST /v1/users); else an edit (PATCH). ``onDone(answer)``. */
export function UserForm({ user = null, formId, onDone, busy, footer }) {
  const first = useSignal(user?.first_name ?? '');
  const last = useSignal(user?.last_name ?? '');
  const email = useSignal(user?.email ?? '');
  const role = useSignal(user?.role ?? 'agent');
  const permissions = useSignal(user?.permissions ?? []);
  const departments = useSignal(user?.departments ?? []);
  const errors = useSignal({});
  const problem = useSignal(null);
  const known = useDepartments();
  const roleHint = useId('role-hint');
  const offered = OPTIONAL_PERMISSIONS[role.value] ?? [];
  const roles = ROLES.includes(role.value) ? ROLES : [...ROLES, role.value];

  const set = (signal, field) => (value) => {
    signal.value = value;
    if (errors.value[field]) errors.value = { ...errors.value, [field]: undefined };
  };

  async function submit(event) {
    event.preventDefault();
    problem.value = null;
    const found = { first_name: required(first.value), last_name: required(last.value), email: checkEmail(email.value) };
    if (Object.values(found).some(Boolean)) {
      errors.value = found;
      return;
    }
    errors.value = {};
    const body = {
      first_name: first.value.trim(),
      last_name: last.value.trim(),
      email: email.value.trim(),
      role: role.value,
      permissions: permissions.value.filter((p) => offered.includes(p)),
      departments: departments.value,
    };
    busy.value = true;
    try {
      const answer = user ? await api('PATCH', `/v1/users/${user.id}`, body) : await api('POST', '/v1/users', body);
      onDone(answer);
    } catch (error) {
      problem.value = errorText(error, 'user');
      errors.value = fieldErrors(error);
    } finally {
      busy.value = false;
    }
  }

  return html`<form id=${formId} class="user-form" onSubmit=${submit} noValidate>
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    <div class="user-form__row">
      <${Field} label=${t('users.firstName')} value=${first.value} error=${errors.value.first_name} maxLength="100" autocomplete="off" onInput=${set(first, 'first_name')} />
      <${Field} label=${t('users.lastName')} value=${last.value} error=${errors.value.last_name} maxLength="100" autocomplete="off" onInput=${set(last, 'last_name')} />
    </div>
    <${Field}
      label=${t('users.email')}
      type="email"
      value=${email.value}
      error=${errors.value.email}
      hint=${user ? t('users.emailHintEdit') : t('users.emailHint')}
      autocomplete="off"
      onInput=${set(email, 'email')}
    />
    <div>
      <${Select}
        label=${t('users.role')}
        value=${role.value}
        options=${roles.map((key) => [key, roleName(key)])}
        aria-describedby=${roleHint}
        onChange=${(value) => {
          role.value = value;
          permissions.value = permissions.value.filter((p) => (OPTIONAL_PERMISSIONS[value] ?? []).includes(p));
        }}
      />
      <p class="field__hint user-form__role-hint" id=${roleHint}>${t(`users.roleHint.${role.value}`)}</p>
      ${errors.value.role && html`<p class="field__error">${errors.value.role}</p>`}
    </div>
    ${offered.length > 0 &&
    html`<${CheckList}
      legend=${t('users.permissions')}
      hint=${t('users.permissionsHint', { role: roleName(role.value) })}
      options=${offered.map((key) => [key, t(`users.permission.${key}`), t(`users.permissionHint.${key}`)])}
      chosen=${permissions.value}
      error=${errors.value.permissions}
      onChange=${(value) => (permissions.value = value)}
    />`}
    ${known.length > 0 &&
    html`<${CheckList}
      legend=${t('users.departments')}
      hint=${t('users.departmentsHint')}
      options=${known.map((d) => [d.id, d.name])}
      chosen=${departments.value}
      error=${errors.value.departments}
      onChange=${(value) => (departments.value = value)}
    />`}
    ${footer}
  </form>`;
}

/** The submit button of a user form kept outside it (a dialog's footer). */
export function SaveButton({ formId, busy, children, busyLabel }) {
  return html`<${Button} type="submit" form=${formId} busy=${busy} busyLabel=${busyLabel}>${children}</${Button}>`;
}
