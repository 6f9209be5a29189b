// The login page (seed 001): the latest product updates on the left, the form on the right,
// with "Recordar contraseña", the help centre and the platform status.
import { useSignal } from '@preact/signals';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link } from '../router.js';
import { signedIn } from '../session.js';
import { Alert, Button, Field, Logo, PublicFooter, ScreenTitle, useTitle } from '../ui.js';
import { checkEmail, required } from './checks.js';
import { LatestUpdates } from './updates.js';

export function LoginScreen() {
  useTitle(t('login.title'));
  const email = useSignal('');
  const password = useSignal('');
  const problems = useSignal({});
  const error = useSignal(null);
  const busy = useSignal(false);

  const submit = async (event) => {
    event.preventDefault();
    const found = { email: checkEmail(email.value), password: required(password.value) };
    problems.value = found;
    error.value = null;
    if (found.email || found.password) return;
    busy.value = true;
    try {
      await signedIn(await api('POST', '/v1/auth/login', { email: email.value.trim(), password: password.value }));
    } catch (failure) {
      error.value = errorText(failure);
      busy.value = false;
    }
  };

  return html`<div class="login">
    <aside class="login__news news" aria-labelledby="news-title">
      <${Logo} inverted href="/login" />
      <div class="news__body">
        <p class="news__kicker">${t('updates.intro')}</p>
        <h2 class="news__title" id="news-title">${t('updates.title')}</h2>
        <${LatestUpdates} />
        <${Link} class="news__all" href="/updates">${t('updates.all')} <span aria-hidden="true">→</span></${Link}>
      </div>
      <p class="news__tagline">${t('app.tagline')}</p>
    </aside>
    <div class="login__side">
      <main id="main" class="login__main">
        <div class="login__logo"><${Logo} href="/login" /></div>
        <${ScreenTitle}>${t('login.title')}</${ScreenTitle}>
        <p class="lead">${t('login.subtitle')}</p>
        ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
        <form class="form" onSubmit=${submit} noValidate>
          <${Field}
            label=${t('login.email')}
            type="email"
            autocomplete="username"
            inputmode="email"
            value=${email.value}
            onInput=${(v) => (email.value = v)}
            error=${problems.value.email}
          />
          <${Field}
            label=${t('login.password')}
            type="password"
            autocomplete="current-password"
            value=${password.value}
            onInput=${(v) => (password.value = v)}
            error=${problems.value.password}
          />
          <div class="form__aside"><${Link} href="/forgot-password">${t('login.forgot')}</${Link}></div>
          <${Button} busy=${busy.value} busyLabel=${t('login.busy')}>${t('login.submit')}</${Button}>
        </form>
        <p class="login__signup">${t('login.noAccount')} <${Link} href="/signup">${t('login.signup')}</${Link}></p>
      </main>
      <${PublicFooter} />
    </div>
  </div>`;
}
