// Signup: a company on the Free plan and its first admin (POST /v1/signup), then the board.
import { useSignal } from '@preact/signals';
import { api } from '../api.js';
import { errorText, fieldErrors } from '../errors.js';
import { html } from '../html.js';
import { locale, LOCALES, t } from '../i18n.js';
import { Link } from '../router.js';
import { signedIn } from '../session.js';
import { Alert, Button, Field, PublicPage, ScreenTitle, Select, useTitle } from '../ui.js';
import { checkEmail, checkNewPassword, required } from './checks.js';

function timezones() {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = new Set(['America/Santiago', 'America/Sao_Paulo', 'America/Bogota', 'America/Lima', 'America/Mexico_City', 'America/Argentina/Buenos_Aires', ...all]);
  if (here) zones.add(here);
  return [...zones].sort();
}

function defaultZone() {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return here && here.includes('/') && here !== 'Etc/UTC' ? here : 'America/Santiago';
}

export function SignupScreen() {
  useTitle(t('signup.title'));
  const form = useSignal({
    company_name: '',
    first_name: '',
    last_name: '',
    email: '',
    password: '',
    locale: locale.value,
    timezone: defaultZone(),
  });
  const problems = useSignal({});
  const error = useSignal(null);
  const busy = useSignal(false);
  const set = (name) => (value) => (form.value = { ...form.value, [name]: value });
  const f = form.value;

  const submit = async (event) => {
    event.preventDefault();
    const found = {
      company_name: required(f.company_name),
      first_name: required(f.first_name),
      last_name: required(f.last_name),
      email: checkEmail(f.email),
      password: checkNewPassword(f.password),
    };
    problems.value = found;
    error.value = null;
    if (Object.values(found).some(Boolean)) return;
    busy.value = true;
    try {
      const session = await api('POST', '/v1/signup', {
        company_name: f.company_name,
        first_name: f.first_name,
        last_name: f.last_name,
        email: f.email.trim(),
        password: f.password,
        locale: f.locale,
        timezone: f.timezone,
      });
      await signedIn(session);
    } catch (failure) {
      problems.value = fieldErrors(failure);
      if (failure.code === 'email_taken') problems.value = { email: errorText(failure) };
      else error.value = errorText(failure);
      busy.value = false;
    }
  };

  const zones = timezones();
  return html`<${PublicPage}>
    <${ScreenTitle}>${t('signup.title')}</${ScreenTitle}>
    <p class="lead">${t('signup.subtitle')}</p>
    ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
    <form class="form" onSubmit=${submit} noValidate>
      <${Field} label=${t('signup.company')} autocomplete="organization" value=${f.company_name} onInput=${set('company_name')} error=${problems.value.company_name} maxlength="200" />
      <div class="form__row">
        <${Field} label=${t('signup.firstName')} autocomplete="given-name" value=${f.first_name} onInput=${set('first_name')} error=${problems.value.first_name} maxlength="100" />
        <${Field} label=${t('signup.lastName')} autocomplete="family-name" value=${f.last_name} onInput=${set('last_name')} error=${problems.value.last_name} maxlength="100" />
      </div>
      <${Field} label=${t('signup.email')} type="email" inputmode="email" autocomplete="email" value=${f.email} onInput=${set('email')} error=${problems.value.email} />
      <${Field} label=${t('signup.password')} type="password" autocomplete="new-password" value=${f.password} onInput=${set('password')} error=${problems.value.password} hint=${t('signup.passwordHint')} maxlength="128" />
      <div class="form__row">
        <${Select} label=${t('signup.locale')} value=${f.locale} onChange=${set('locale')} options=${LOCALES.map((code) => [code, t(`lang.${code}`)])} />
        <${Select} label=${t('signup.timezone')} value=${f.timezone} onChange=${set('timezone')} options=${zones.map((zone) => [zone, zone.replaceAll('_', ' ')])} />
      </div>
      <${Button} busy=${busy.value} busyLabel=${t('signup.busy')}>${t('signup.submit')}</${Button}>
    </form>
    <p class="card__foot">${t('signup.haveAccount')} <${Link} href="/login">${t('signup.login')}</${Link}></p>
  </${PublicPage}>`;
}
