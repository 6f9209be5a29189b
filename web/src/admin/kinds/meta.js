// The connection flows of: facebook, instagram, whatsapp (see ./index.js).
//
// Facebook and Instagram: Facebook Login's dialog in this tab (the redirect flow: no
// third-party script), back here with ?code&state, then the Pages the user manages to
// pick from. WhatsApp: the number's ids and a system-user token, checked with Graph
// (display number, name, quality) before connecting; its templates synced on demand.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../api.js';
import { ChannelIcon } from '../../channels.js';
import { errorText, fieldErrors } from '../../errors.js';
import { formatDateTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Link, navigate, route } from '../../router.js';
import { can } from '../../session.js';
import { Alert, Button, Field } from '../../ui.js';
import { Badge, EmptyState, Section } from '../kit.js';
import './meta.css';

const returnAddress = (type) => `${location.origin}/admin/channels/connect/${type}`;

function FacebookMark() {
  return html`<svg class="meta-fb-mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <circle cx="12" cy="12" r="11" />
    <path d="M13.4 20v-6.2h2.1l.3-2.4h-2.4V9.9c0-.7.2-1.2 1.2-1.2h1.3V6.6c-.2 0-1-.1-1.9-.1-1.9 0-3.2 1.2-3.2 3.3v1.6H8.7v2.4h2.1V20z" />
  </svg>`;
}

/** The Login step: one button that opens Facebook's dialog in this tab. */
function StartLogin({ type, error }) {
  const busy = useSignal(false);
  const failed = useSignal(null);
  const go = async () => {
    busy.value = true;
    failed.value = null;
    try {
      const { url } = await api('POST', '/v1/channels/meta/login', { redirect_uri: returnAddress(type) });
      location.assign(url);
    } catch (problem) {
      failed.value = errorText(problem);
      busy.value = false;
    }
  };
  return html`<${Section} title=${t('adminChannels.meta.loginTitle')}>
    <div class="meta-login">
      <ol class="meta-steps">
        <li>${t('adminChannels.meta.step1')}</li>
        <li>${t(type === 'instagram' ? 'adminChannels.meta.step2ig' : 'adminChannels.meta.step2')}</li>
        <li>${t('adminChannels.meta.step3')}</li>
      </ol>
      ${(error || failed.value) && html`<${Alert}>${error || failed.value}</${Alert}>`}
      <p class="meta-login__hint">${t('adminChannels.meta.companyAccount')}</p>
      <button type="button" class="meta-fb-button" onClick=${go} disabled=${busy.value} aria-busy=${busy.value ? 'true' : undefined}>
        ${busy.value ? html`<span class="spinner" aria-hidden="true"></span>` : html`<${FacebookMark} />`}
        ${t('adminChannels.meta.loginButton')}
      </button>
    </div>
  </${Section}>`;
}

function PagePicker({ type, login, onRestart }) {
  const chosen = useSignal(null);
  const busy = useSignal(false);
  const failed = useSignal(null);
  const pages = type === 'instagram' ? login.pages.filter((page) => page.instagram) : login.pages;
  const taken = (page) => page.connected[type];
  const add = async (event) => {
    event.preventDefault();
    if (!chosen.value) {
      failed.value = t('adminChannels.meta.pickOne');
      return;
    }
    busy.value = true;
    failed.value = null;
    try {
      const channel = await api('POST', '/v1/channels/meta/pages', { login_id: login.login_id, page_id: chosen.value, type });
      tell(t('adminChannels.meta.added', { name: channel.name }));
      navigate(`/admin/channels/${channel.id}`);
    } catch (problem) {
      failed.value = errorText(problem);
      busy.value = false;
    }
  };
  if (pages.length === 0) {
    return html`<${Section} title=${t('adminChannels.meta.pagesTitle')}>
      <${EmptyState}
        title=${t(type === 'instagram' ? 'adminChannels.meta.noInstagram' : 'adminChannels.meta.noPages')}
        text=${t(type === 'instagram' ? 'adminChannels.meta.noInstagramText' : 'adminChannels.meta.noPagesText')}
        action=${html`<button type="button" class="button button--secondary" onClick=${onRestart}>${t('adminChannels.meta.again')}</button>`}
      />
    </${Section}>`;
  }
  return html`<${Section} title=${t('adminChannels.meta.pagesTitle')}>
    <form onSubmit=${add} class="meta-pages-form">
      <fieldset class="meta-pages">
        <legend class="field__label">${t(type === 'instagram' ? 'adminChannels.meta.pickInstagram' : 'adminChannels.meta.pickPage')}</legend>
        ${pages.map(
          (page) => html`<label class=${`meta-page${chosen.value === page.id ? ' meta-page--on' : ''}${taken(page) ? ' meta-page--taken' : ''}`}>
            <input type="radio" name="page" value=${page.id} checked=${chosen.value === page.id} disabled=${taken(page)} onChange=${() => (chosen.value = page.id)} />
            <${ChannelIcon} type=${type} decorative=${true} />
            <span class="meta-page__text">
              <span class="meta-page__name">${type === 'instagram' ? `@${page.instagram.username || page.instagram.id}` : page.name}</span>
              <span class="meta-page__sub">
                ${type === 'instagram'
                  ? t('adminChannels.meta.viaPage', { name: page.name })
                  : page.instagram
                    ? t('adminChannels.meta.withInstagram', { username: page.instagram.username })
                    : t('adminChannels.meta.pageId', { id: page.id })}
              </span>
            </span>
            ${taken(page) && html`<${Badge} tone="neutral">${t('adminChannels.meta.already')}</${Badge}>`}
          </label>`,
        )}
      </fieldset>
      ${failed.value && html`<${Alert}>${failed.value}</${Alert}>`}
      <div class="admin-form__actions">
        <button type="button" class="button button--secondary" onClick=${onRestart}>${t('adminChannels.meta.again')}</button>
        <${Button} busy=${busy.value}>${t('adminChannels.meta.add')}</${Button}>
      </div>
    </form>
  </${Section}>`;
}

/** Facebook or Instagram: the Login, then the Pages. */
function PageConnect({ type }) {
  const query = route.value.query;
  const code = query.get('code');
  const state = query.get('state');
  const denied = query.get('error');
  const step = useSignal(code && state ? 'loading' : 'start');
  const login = useSignal(null);
  const error = useSignal(denied ? t('adminChannels.meta.denied') : null);
  useEffect(() => {
    if (!(code && state)) {
      if (denied) navigate(location.pathname, { replace: true });
      return;
    }
    navigate(location.pathname, { replace: true }); // a reload must not reuse the code
    api('POST', '/v1/channels/meta/login/callback', { code, state, redirect_uri: returnAddress(type) }).then(
      (found) => {
        login.value = found;
        step.value = 'pick';
      },
      (problem) => {
        error.value = errorText(problem);
        step.value = 'start';
      },
    );
  }, []);
  if (step.value === 'loading') {
    return html`<${Section} title=${t('adminChannels.meta.pagesTitle')}>
      <div class="admin-loading" role="status"><span class="spinner" aria-hidden="true"></span>${t('adminChannels.meta.loading')}</div>
    </${Section}>`;
  }
  if (step.value === 'pick') {
    return html`<${PagePicker} type=${type} login=${login.value} onRestart=${() => (step.value = 'start')} />`;
  }
  return html`<${StartLogin} type=${type} error=${error.value} />`;
}

function Quality({ rating }) {
  const tone = { GREEN: 'ok', YELLOW: 'warn', RED: 'danger' }[rating] ?? 'neutral';
  const known = ['GREEN', 'YELLOW', 'RED'].includes(rating);
  return html`<${Badge} tone=${tone}>${t(known ? `adminChannels.wa.quality.${rating}` : 'adminChannels.wa.quality.UNKNOWN')}</${Badge}>`;
}

function NumberCard({ number }) {
  return html`<dl class="meta-facts" aria-label=${t('adminChannels.wa.numberFacts')}>
    <div><dt>${t('adminChannels.wa.display')}</dt><dd>${number.display_phone_number || '—'}</dd></div>
    <div><dt>${t('adminChannels.wa.verified')}</dt><dd>${number.verified_name || '—'}</dd></div>
    <div><dt>${t('adminChannels.wa.quality')}</dt><dd><${Quality} rating=${number.quality_rating} /></dd></div>
  </dl>`;
}

/** WhatsApp: the ids and the system user's token, checked before connecting. */
function WhatsAppConnect() {
  const form = useSignal({ phone_number_id: '', business_account_id: '', access_token: '', name: '', display: '' });
  const checked = useSignal(null);
  const busy = useSignal(false);
  const failed = useSignal(null);
  const errors = useSignal({});
  const set = (key) => (value) => {
    form.value = { ...form.value, [key]: value };
    if (key !== 'name' && key !== 'display') checked.value = null; // another number: check again
  };
  const submit = async (event) => {
    event.preventDefault();
    busy.value = true;
    failed.value = null;
    errors.value = {};
    const f = form.value;
    try {
      if (!checked.value) {
        checked.value = await api('POST', '/v1/channels/whatsapp/check', { phone_number_id: f.phone_number_id.trim(), access_token: f.access_token.trim() });
        if (!f.name) form.value = { ...form.value, name: checked.value.verified_name.slice(0, 100) };
        busy.value = false;
        return;
      }
      const number = checked.value;
      const channel = await api('POST', '/v1/channels', {
        type: 'whatsapp',
        name: (f.name || number.verified_name || number.display_phone_number).trim(),
        identifiers: {
          phone_number_id: f.phone_number_id.trim(),
          business_account_id: f.business_account_id.trim(),
          display_phone_number: number.display_phone_number || f.display.trim(),
          verified_name: number.verified_name,
          quality_rating: number.quality_rating,
        },
        credentials: { access_token: f.access_token.trim() },
      });
      tell(t('adminChannels.meta.added', { name: channel.name }));
      navigate(`/admin/channels/${channel.id}`);
    } catch (problem) {
      errors.value = fieldErrors(problem);
      failed.value = errorText(problem);
      busy.value = false;
    }
  };
  const f = form.value;
  return html`<${Section} title=${t('adminChannels.wa.manualTitle')}>
    <p class="channels__lead">${t('adminChannels.wa.manualLead')}</p>
    <form class="admin-form" onSubmit=${submit}>
      <${Field} label=${t('adminChannels.wa.phoneId')} value=${f.phone_number_id} onInput=${set('phone_number_id')} inputmode="numeric" pattern="[0-9]{3,32}" error=${errors.value.phone_number_id} />
      <${Field} label=${t('adminChannels.wa.wabaId')} value=${f.business_account_id} onInput=${set('business_account_id')} inputmode="numeric" pattern="[0-9]{3,32}" error=${errors.value.business_account_id} />
      <${Field} label=${t('adminChannels.wa.token')} type="password" value=${f.access_token} onInput=${set('access_token')} autocomplete="off" hint=${t('adminChannels.wa.tokenHint')} error=${errors.value.access_token} />
      ${checked.value &&
      html`<div class="meta-checked" role="status">
          <p class="meta-checked__title">${t('adminChannels.wa.checked')}</p>
          <${NumberCard} number=${checked.value} />
        </div>
        ${!checked.value.display_phone_number &&
        html`<${Field} label=${t('adminChannels.wa.displayField')} value=${f.display} onInput=${set('display')} type="tel" error=${errors.value.display_phone_number} />`}
        <${Field} label=${t('adminChannels.wa.name')} value=${f.name} onInput=${set('name')} maxlength="100" hint=${t('adminChannels.wa.nameHint')} />`}
      ${failed.value && html`<${Alert}>${failed.value}</${Alert}>`}
      <div class="admin-form__actions">
        <${Button} busy=${busy.value}>${checked.value ? t('adminChannels.wa.connect') : t('adminChannels.wa.check')}</${Button}>
      </div>
    </form>
    <p class="meta-note">${t('adminChannels.wa.embeddedLater')}</p>
  </${Section}>`;
}

function WhatsAppDetails({ channel }) {
  const ids = channel.identifiers || {};
  const busy = useSignal(false);
  const result = useSignal(null);
  const failed = useSignal(null);
  const sync = async () => {
    busy.value = true;
    failed.value = null;
    try {
      result.value = await api('POST', `/v1/channels/${encodeURIComponent(channel.id)}/templates/sync`);
    } catch (problem) {
      failed.value = errorText(problem);
    }
    busy.value = false;
  };
  return html`<div class="meta-details">
    <${NumberCard} number=${ids} />
    <dl class="meta-facts meta-facts--ids" aria-label=${t('adminChannels.wa.ids')}>
      <div><dt>${t('adminChannels.wa.phoneId')}</dt><dd>${ids.phone_number_id}</dd></div>
      <div><dt>${t('adminChannels.wa.wabaId')}</dt><dd>${ids.business_account_id}</dd></div>
    </dl>
    ${channel.status === 'connected' &&
    can('templates.manage') &&
    html`<div class="meta-sync">
      <div>
        <p class="meta-sync__title">${t('adminChannels.wa.templates')}</p>
        <p class="meta-sync__text">${t('adminChannels.wa.templatesText')}</p>
      </div>
      <${Button} type="button" variant="secondary" busy=${busy.value} onClick=${sync}>${t('adminChannels.wa.sync')}</${Button}>
    </div>`}
    ${result.value &&
    html`<${Alert} tone="success">
      ${t('adminChannels.wa.synced', result.value)} <${Link} href="/admin/templates">${t('adminChannels.wa.seeTemplates')}</${Link}>
    </${Alert}>`}
    ${failed.value && html`<${Alert}>${failed.value}</${Alert}>`}
  </div>`;
}

function PageDetails({ channel }) {
  const ids = channel.identifiers || {};
  return html`<dl class="meta-facts" aria-label=${t('adminChannels.meta.facts')}>
    ${channel.type === 'instagram' && html`<div><dt>${t('adminChannels.meta.instagramAccount')}</dt><dd>@${ids.username || ids.instagram_account_id}</dd></div>`}
    ${ids.page_name && html`<div><dt>${t('adminChannels.meta.page')}</dt><dd>${ids.page_name}</dd></div>`}
    <div><dt>${t('adminChannels.meta.pageIdLabel')}</dt><dd>${ids.page_id}</dd></div>
    <div>
      <dt>${t('adminChannels.meta.token')}</dt>
      <dd>${channel.credentials_expire_at ? t('adminChannels.advice.expiresOn', { date: formatDateTime(channel.credentials_expire_at) }) : t('adminChannels.meta.tokenForever')}</dd>
    </div>
  </dl>`;
}

export const META_KINDS = {
  facebook: { Connect: PageConnect, Details: PageDetails },
  instagram: { Connect: PageConnect, Details: PageDetails },
  whatsapp: { Connect: WhatsAppConnect, Details: WhatsAppDetails },
};
