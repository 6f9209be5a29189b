// "Recordar contraseña": ask for the emailed link (/forgot-password), then choose the
// new password from the link (/password-reset?token=...).
import { useSignal } from '@preact/signals';
import { api } from '../api.js';
import { errorText, fieldErrors } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link, route } from '../router.js';
import { signedIn } from '../session.js';
import { Alert, Button, Field, PublicPage, ScreenTitle, useTitle } from '../ui.js';
import { checkEmail, checkNewPassword } from './checks.js';

export function ForgotPasswordScreen() {
  useTitle(t('forgot.title'));
  const email = useSignal('');
  const problem = useSignal(null);
  const error = useSignal(null);
  const sentTo = useSignal(null);
  const busy = useSignal(false);

  const submit = async (event) => {
    event.preventDefault();
    problem.value = checkEmail(email.value);
    error.value = null;
    if (problem.value) return;
    busy.value = true;
    try {
      await api('POST', '/v1/auth/password-reset', { email: email.value.trim() });
      sentTo.value = email.value.trim();
    } catch (failure) {
      error.value = errorText(failure);
    } finally {
      busy.value = false;
    }
  };

  return html`<${PublicPage}>
    <${ScreenTitle}>${t('forgot.title')}</${ScreenTitle}>
    ${sentTo.value
      ? html`<${Alert} tone="success" title=${t('forgot.sentTitle')}>${t('forgot.sent', { email: sentTo.value })}</${Alert}>`
      : html`<p class="lead">${t('forgot.intro')}</p>
          ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
          <form class="form" onSubmit=${submit} noValidate>
            <${Field} label=${t('login.email')} type="email" inputmode="email" autocomplete="username" value=${email.value} onInput=${(v) => (email.value = v)} error=${problem.value} />
            <${Button} busy=${busy.value} busyLabel=${t('forgot.busy')}>${t('forgot.submit')}</${Button}>
          </form>`}
    <p class="card__back"><${Link} href="/login">← ${t('forgot.back')}</${Link}></p>
  </${PublicPage}>`;
}

/** Choosing a password with an emailed token: the reset link and the invitation share it. */
export function ChoosePassword({ send, purpose, title, intro, submitLabel, busyLabel, noToken }) {
  useTitle(title);
  const token = route.value.query.get('token') || '';
  const password = useSignal('');
  const confirm = useSignal('');
  const problems = useSignal({});
  const error = useSignal(null);
  const busy = useSignal(false);

  const submit = async (event) => {
    event.preventDefault();
    const found = {
      password: checkNewPassword(password.value),
      confirm: password.value && confirm.value !== password.value ? t('reset.mismatch') : null,
    };
    problems.value = found;
    error.value = null;
    if (found.password || found.confirm) return;
    busy.value = true;
    try {
      await signedIn(await send({ token, password: password.value }));
    } catch (failure) {
      const fields = fieldErrors(failure);
      if (fields.password) problems.value = { password: fields.password };
      else error.value = { text: errorText(failure, purpose), code: failure.code };
      busy.value = false;
    }
  };

  const linkDead = error.value && ['invalid_token', 'token_used', 'token_expired', 'token_superseded'].includes(error.value.code);
  return html`<${PublicPage}>
    <${ScreenTitle}>${title}</${ScreenTitle}>
    ${!token
      ? html`<${Alert}>${noToken}</${Alert}>`
      : html`<p class="lead">${intro}</p>
          ${error.value && html`<${Alert}>${error.value.text}</${Alert}>`}
          <form class="form" onSubmit=${submit} noValidate>
            <${Field} label=${t('reset.password')} type="password" autocomplete="new-password" value=${password.value} onInput=${(v) => (password.value = v)} error=${problems.value.password} hint=${t('signup.passwordHint')} maxlength="128" />
            <${Field} label=${t('reset.confirm')} type="password" autocomplete="new-password" value=${confirm.value} onInput=${(v) => (confirm.value = v)} error=${problems.value.confirm} maxlength="128" />
            <${Button} busy=${busy.value} busyLabel=${busyLabel}>${submitLabel}</${Button}>
          </form>`}
    ${purpose === 'reset' && (!token || linkDead) && html`<p class="card__foot"><${Link} href="/forgot-password">${t('reset.askNew')}</${Link}></p>`}
    <p class="card__back"><${Link} href="/login">← ${t('forgot.back')}</${Link}></p>
  </${PublicPage}>`;
}

export function ResetPasswordScreen() {
  return html`<${ChoosePassword}
    send=${(body) => api('POST', '/v1/auth/password-reset/confirm', body)}
    purpose="reset"
    title=${t('reset.title')}
    intro=${t('reset.intro')}
    submitLabel=${t('reset.submit')}
    busyLabel=${t('reset.busy')}
    noToken=${t('reset.noToken')}
  />`;
}

export function InvitationScreen() {
  return html`<${ChoosePassword}
    send=${(body) => api('POST', '/v1/auth/invitations/accept', body)}
    purpose="invitation"
    title=${t('invite.title')}
    intro=${t('invite.intro')}
    submitLabel=${t('invite.submit')}
    busyLabel=${t('invite.busy')}
    noToken=${t('invite.noToken')}
  />`;
}
