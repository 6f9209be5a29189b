// "Mi perfil": every signed-in person's own page — who they are, the console's language on
// this device, the SLA-breach emails (GET/PUT /v1/me/notification-settings) and their
// password (POST /v1/me/password: every other session ends, this one is renewed).
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { adoptSession, api } from '../api.js';
import { errorText, fieldErrors } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { checkNewPassword } from '../screens/checks.js';
import { can, me } from '../session.js';
import { Alert, Button, Field, LanguagePicker } from '../ui.js';
import { Loading, Section } from './kit.js';
import { AdminPage } from './layout.js';

function NotificationSettings() {
  const state = useSignal(null);
  const error = useSignal(null);
  const busy = useSignal(false);
  const saved = useSignal(false);
  useEffect(() => {
    api('GET', '/v1/me/notification-settings').then(
      (found) => (state.value = found),
      (failure) => (error.value = failure),
    );
  }, []);
  if (!state.value) return html`<${Loading} error=${error.value} />`;
  const toggle = async (event) => {
    const wanted = event.currentTarget.checked;
    busy.value = true;
    saved.value = false;
    error.value = null;
    try {
      state.value = await api('PUT', '/v1/me/notification-settings', { email_on_sla_breach: wanted });
      saved.value = true;
    } catch (failure) {
      error.value = failure;
    } finally {
      busy.value = false;
    }
  };
  return html`
    ${error.value && html`<${Alert}>${errorText(error.value)}</${Alert}>`}
    <label class="profile-check">
      <input type="checkbox" checked=${state.value.email_on_sla_breach} disabled=${busy.value} onChange=${toggle} />
      <span>
        <span class="profile-check__label">${t('profile.slaEmail')}</span>
        <span class="profile-check__hint">${t('profile.slaEmailHint')}</span>
      </span>
    </label>
    <p class="profile-saved" role="status">${saved.value ? t('admin.saved') : ''}</p>
  `;
}

function PasswordForm() {
  const current = useSignal('');
  const next = useSignal('');
  const confirm = useSignal('');
  const problems = useSignal({});
  const error = useSignal(null);
  const done = useSignal(false);
  const busy = useSignal(false);
  const submit = async (event) => {
    event.preventDefault();
    const found = {
      current: current.value ? null : t('profile.currentMissing'),
      next: checkNewPassword(next.value),
      confirm: next.value && confirm.value !== next.value ? t('reset.mismatch') : null,
    };
    problems.value = found;
    error.value = null;
    done.value = false;
    if (found.current || found.next || found.confirm) return;
    busy.value = true;
    try {
      adoptSession(await api('POST', '/v1/me/password', { current_password: current.value, new_password: next.value }));
      current.value = next.value = confirm.value = '';
      done.value = true;
    } catch (failure) {
      const fields = fieldErrors(failure);
      if (fields.new_password) problems.value = { next: fields.new_password };
      else if (failure.code === 'wrong_password' || fields.current_password) problems.value = { current: t('profile.currentWrong') };
      else error.value = errorText(failure);
    } finally {
      busy.value = false;
    }
  };
  return html`<form class="admin-form" onSubmit=${submit} noValidate>
    ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
    ${done.value && html`<${Alert} tone="success" title=${t('profile.passwordChanged')}>${t('profile.passwordChangedText')}</${Alert}>`}
    <${Field} label=${t('profile.current')} type="password" autocomplete="current-password" value=${current.value} onInput=${(v) => (current.value = v)} error=${problems.value.current} maxlength="128" />
    <${Field} label=${t('reset.password')} type="password" autocomplete="new-password" value=${next.value} onInput=${(v) => (next.value = v)} error=${problems.value.next} hint=${t('signup.passwordHint')} maxlength="128" />
    <${Field} label=${t('reset.confirm')} type="password" autocomplete="new-password" value=${confirm.value} onInput=${(v) => (confirm.value = v)} error=${problems.value.confirm} maxlength="128" />
    <div class="admin-form__actions"><${Button} busy=${busy.value}>${t('profile.changePassword')}</${Button}></div>
  </form>`;
}

export function ProfileScreen() {
  const { user, tenant } = me.value;
  return html`<${AdminPage} title=${t('profile.title')} description=${t('profile.description')}>
    <${Section} title=${t('profile.you')} id="profile-you">
      <dl class="profile-facts">
        <dt>${t('profile.name')}</dt><dd>${user.first_name} ${user.last_name}</dd>
        <dt>${t('profile.email')}</dt><dd>${user.email}</dd>
        <dt>${t('profile.role')}</dt><dd>${t(`role.${user.role}`)}</dd>
        <dt>${t('profile.company')}</dt><dd>${tenant.name}</dd>
      </dl>
      <div class="profile-language"><${LanguagePicker} /></div>
    </${Section}>
    ${can('tickets.read') && html`<${Section} title=${t('profile.notifications')} id="profile-notifications"><${NotificationSettings} /></${Section}>`}
    <${Section} title=${t('profile.password')} id="profile-password"><${PasswordForm} /></${Section}>
  </${AdminPage}>`;
}
