// X (Twitter): connected through X's own authorisation (OAuth 1.0a). "Conectar con X"
// asks the API for X's authorisation page and goes there; X sends the admin back to this
// same page with oauth_token and oauth_verifier, which the API exchanges for the
// account's tokens (they never reach the browser) before the channel page opens.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { navigate, route } from '../../router.js';
import { Alert, Button, Field } from '../../ui.js';
import { Badge } from '../kit.js';
import { useLoad } from '../kit.js';
import './others.css';

const HERE = '/admin/channels/connect/twitter';
const NAME_KEY = 'atiende.x.channelName';
/** Callbacks already sent (a re-render must not spend the request token twice). */
const finishing = new Set();

/** The message for a refusal of the X flow: ours for the known codes, with X's words. */
export function xErrorText(error) {
  const known = { unknown_login: 'kinds.x.error.unknown', login_expired: 'kinds.x.error.expired',
    x_refused: 'kinds.x.error.refused', x_not_configured: 'kinds.x.error.notConfigured',
    channel_taken: 'kinds.x.error.taken', plan_limit: 'kinds.x.error.limit' }[error?.code];
  return known ? t(known) : errorText(error);
}

function XError({ error, onRestart }) {
  const detail = ['x_refused', 'x_not_configured'].includes(error.code) ? error.message : null;
  return html`<${Alert} title=${t('kinds.x.error.title')}>
    <p>${xErrorText(error)}</p>
    ${detail && html`<p class="kinds-detail">${detail}</p>`}
    ${onRestart && html`<p><button type="button" class="button button--secondary" onClick=${onRestart}>${t('kinds.x.restart')}</button></p>`}
  </${Alert}>`;
}

function remember(name) {
  try {
    if (name) sessionStorage.setItem(NAME_KEY, name);
    else sessionStorage.removeItem(NAME_KEY);
  } catch {
    /* private mode: the default name is used */
  }
}

function remembered() {
  try {
    return sessionStorage.getItem(NAME_KEY) || null;
  } catch {
    return null;
  }
}

function Finish({ token, verifier }) {
  const error = useSignal(null);
  useEffect(() => {
    if (finishing.has(token)) return;
    finishing.add(token);
    const name = remembered();
    api('POST', '/v1/channels/twitter/login/callback', { oauth_token: token, oauth_verifier: verifier, name: name || undefined }).then(
      (channel) => {
        remember(null);
        tell(t('kinds.x.connected', { handle: channel.identifiers?.screen_name ?? channel.name }));
        navigate(`/admin/channels/${channel.id}`, { replace: true });
      },
      (failure) => (error.value = failure),
    );
  }, [token]);
  if (error.value) {
    return html`<${XError} error=${error.value} onRestart=${() => navigate(HERE, { replace: true })} />`;
  }
  return html`<div class="admin-loading" role="status"><span class="spinner" aria-hidden="true"></span>${t('kinds.x.finishing')}</div>`;
}

function Start({ denied }) {
  const name = useSignal(remembered() || '');
  const busy = useSignal(false);
  const error = useSignal(null);
  const go = async (event) => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    remember(name.value.trim());
    try {
      const { url } = await api('POST', '/v1/channels/twitter/login', { callback_url: `${location.origin}${HERE}` });
      location.assign(url);
    } catch (failure) {
      error.value = failure;
      busy.value = false;
    }
  };
  return html`<form class="admin-form kinds-connect" onSubmit=${go} aria-labelledby="kinds-x-title">
    <h2 class="kinds-title" id="kinds-x-title">${t('kinds.x.title')}</h2>
    <p class="kinds-lead">${t('kinds.x.lead')}</p>
    ${denied && html`<${Alert} tone="success" title=${t('kinds.x.denied.title')}>${t('kinds.x.denied.text')}</${Alert}>`}
    ${error.value && html`<${XError} error=${error.value} />`}
    <ol class="kinds-steps">
      <li>${t('kinds.x.step1')}</li>
      <li>${t('kinds.x.step2')}</li>
      <li>${t('kinds.x.step3')}</li>
    </ol>
    <${Field} label=${t('kinds.x.name')} hint=${t('kinds.x.nameHint')} value=${name.value} required=${false} maxlength="100" onInput=${(v) => (name.value = v)} />
    <div class="admin-form__actions">
      <${Button} busy=${busy.value} busyLabel=${t('kinds.x.opening')}>
        <svg class="kinds-xlogo" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M18.2 2.3h3.3l-7.2 8.3 8.5 11.2h-6.6l-5.2-6.8-6 6.8H1.7l7.7-8.8L1.3 2.3h6.8l4.7 6.2zm-1.2 17.5h1.8L7.1 4.1h-2z" /></svg>
        ${t('kinds.x.connect')}
      </${Button}>
    </div>
  </form>`;
}

export function TwitterConnect() {
  const query = route.value.query;
  const token = query.get('oauth_token');
  const verifier = query.get('oauth_verifier');
  if (token && verifier) return html`<${Finish} token=${token} verifier=${verifier} />`;
  return html`<${Start} denied=${query.has('denied')} />`;
}

function SubscriptionState({ channel }) {
  const state = useLoad(() => api('GET', `/v1/channels/${channel.id}/twitter-subscription`), channel.status === 'connected' ? channel.id : null);
  const busy = useSignal(false);
  const error = useSignal(null);
  const renew = async () => {
    busy.value = true;
    error.value = null;
    try {
      await api('POST', `/v1/channels/${channel.id}/twitter-subscription`);
      tell(t('kinds.x.renewed'));
      state.reload();
    } catch (failure) {
      error.value = failure;
    }
    busy.value = false;
  };
  if (channel.status !== 'connected') return html`<${Badge} tone="neutral">${t('kinds.x.sub.disconnected')}</${Badge}>`;
  const data = state.data;
  let badge = html`<span class="admin-loading" role="status"><span class="spinner" aria-hidden="true"></span>${t('kinds.x.sub.checking')}</span>`;
  if (data?.subscribed === true) badge = html`<${Badge} tone="ok">${t('kinds.x.sub.on')}</${Badge}>`;
  else if (data?.subscribed === false) badge = html`<${Badge} tone="danger">${t('kinds.x.sub.off')}</${Badge}>`;
  else if (data || state.error) badge = html`<${Badge} tone="warn" title=${data?.reason || ''}>${t('kinds.x.sub.unknown')}</${Badge}>`;
  return html`<div class="kinds-sub">
    <div class="kinds-sub__state">${badge}</div>
    ${data?.subscribed === false && html`<p class="kinds-muted">${t('kinds.x.sub.offHelp')}</p>`}
    ${data && data.subscribed == null && data.reason && html`<p class="kinds-muted">${t('kinds.x.sub.unknownHelp')} <span class="kinds-detail">${data.reason}</span></p>`}
    ${error.value && html`<${XError} error=${error.value} />`}
    <div class="kinds-actions">
      <button type="button" class="button button--secondary" onClick=${() => state.reload()} disabled=${state.loading}>${t('kinds.x.sub.check')}</button>
      <${Button} type="button" variant="secondary" busy=${busy.value} onClick=${renew}>${t('kinds.x.sub.renew')}</${Button}>
    </div>
  </div>`;
}

export function TwitterDetails({ channel }) {
  const handle = channel.identifiers?.screen_name;
  return html`<dl class="kinds-facts">
    <div><dt>${t('kinds.x.account')}</dt>
      <dd>${handle ? html`<a href=${`https://x.com/${encodeURIComponent(handle)}`} target="_blank" rel="noopener noreferrer">@${handle}</a>` : '—'}</dd></div>
    <div><dt>${t('kinds.x.userId')}</dt><dd class="kinds-mono">${channel.identifiers?.user_id ?? channel.account_id}</dd></div>
    <div><dt>${t('kinds.x.subscription')}</dt><dd><${SubscriptionState} channel=${channel} /></dd></div>
  </dl>`;
}
