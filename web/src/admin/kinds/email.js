// Email: the company names the address its clients write to; Atiende receives that
// address through Amazon SES. After connecting, the page shows what to set up, as the API
// derives it for this deployment (GET /v1/channels/{id}/email-setup): the DNS records,
// the SES receipt rule and the SNS topic that posts to the email webhook.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { navigate } from '../../router.js';
import { Alert, Button, Field } from '../../ui.js';
import { Badge, Loading } from '../kit.js';
import { useLoad } from '../kit.js';
import './others.css';

/** Copies ``text``; says so for screen readers and on the button itself. */
export function CopyButton({ text, what }) {
  const done = useSignal(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      done.value = true;
      setTimeout(() => (done.value = false), 2000);
    } catch {
      tell(t('kinds.copy.failed'), 'error');
    }
  };
  return html`<button type="button" class="kinds-copy" onClick=${copy} aria-label=${t('kinds.copy.label', { what })} title=${t('kinds.copy.label', { what })}>
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="9" y="9" width="11" height="11" rx="2" /><path d="M5 15V5a2 2 0 0 1 2-2h8" /></svg>
    <span aria-live="polite">${done.value ? t('kinds.copy.done') : t('kinds.copy.short')}</span>
  </button>`;
}

function Value({ text, what }) {
  return html`<span class="kinds-value"><code class="kinds-mono">${text}</code><${CopyButton} text=${text} what=${what} /></span>`;
}

const PURPOSE = { receive: 'kinds.email.purpose.receive', send_spf: 'kinds.email.purpose.spf', send_dkim: 'kinds.email.purpose.dkim' };

/** The setup an email channel needs, step by step. */
export function EmailSetup({ channelId }) {
  const setup = useLoad(() => api('GET', `/v1/channels/${channelId}/email-setup`), channelId);
  if (!setup.data) return html`<${Loading} error=${setup.error} onRetry=${setup.reload} />`;
  const s = setup.data;
  return html`<div class="kinds-setup">
    <div class="kinds-inbox">
      <p class="kinds-inbox__label">${t('kinds.email.inbox')}</p>
      <${Value} text=${s.address} what=${t('kinds.email.inbox')} />
      <p class="kinds-muted">${t('kinds.email.inboxHelp', { region: s.region })}</p>
    </div>
    <ol class="kinds-setup__steps">
      <li>
        <h3 class="kinds-subtitle">${t('kinds.email.dns.title')}</h3>
        <p>${t('kinds.email.dns.text', { domain: s.domain })}</p>
        <div class="admin-table-wrap">
          <table class="admin-table kinds-dns">
            <caption class="visually-hidden">${t('kinds.email.dns.caption', { domain: s.domain })}</caption>
            <thead><tr>
              <th scope="col">${t('kinds.email.dns.type')}</th><th scope="col">${t('kinds.email.dns.name')}</th>
              <th scope="col">${t('kinds.email.dns.value')}</th><th scope="col">${t('kinds.email.dns.priority')}</th>
              <th scope="col">${t('kinds.email.dns.purpose')}</th>
            </tr></thead>
            <tbody>${s.records.map((r) => html`<tr>
              <td data-label=${t('kinds.email.dns.type')}><${Badge} tone="info">${r.type}</${Badge}></td>
              <td data-label=${t('kinds.email.dns.name')}><${Value} text=${r.name} what=${`${r.type} ${t('kinds.email.dns.name')}`} /></td>
              <td data-label=${t('kinds.email.dns.value')}><${Value} text=${r.value} what=${`${r.type} ${t('kinds.email.dns.value')}`} /></td>
              <td data-label=${t('kinds.email.dns.priority')}>${r.priority ?? '—'}</td>
              <td data-label=${t('kinds.email.dns.purpose')} class="admin-table__muted">${t(PURPOSE[r.purpose] ?? r.purpose)}</td>
            </tr>`)}</tbody>
          </table>
        </div>
        <p class="kinds-muted">${t('kinds.email.dns.dkimHelp')}</p>
        <div class="kinds-note">
          <p class="kinds-note__title">${t('kinds.email.mx.title', { domain: s.domain })}</p>
          <p>${t('kinds.email.mx.text', { domain: s.domain })}</p>
        </div>
      </li>
      <li>
        <h3 class="kinds-subtitle">${t('kinds.email.sns.title')}</h3>
        <p>${t('kinds.email.sns.text')}</p>
        <dl class="kinds-facts">
          <div><dt>${t('kinds.email.sns.topic')}</dt><dd><${Value} text=${s.sns_topic} what=${t('kinds.email.sns.topic')} /></dd></div>
          <div><dt>${t('kinds.email.sns.protocol')}</dt><dd>HTTPS</dd></div>
          <div><dt>${t('kinds.email.sns.endpoint')}</dt><dd><${Value} text=${s.webhook_url} what=${t('kinds.email.sns.endpoint')} /></dd></div>
        </dl>
      </li>
      <li>
        <h3 class="kinds-subtitle">${t('kinds.email.rule.title')}</h3>
        <p>${t('kinds.email.rule.text', { region: s.region })}</p>
        <dl class="kinds-facts">
          <div><dt>${t('kinds.email.rule.name')}</dt><dd><${Value} text=${s.receipt_rule_name} what=${t('kinds.email.rule.name')} /></dd></div>
          <div><dt>${t('kinds.email.rule.recipient')}</dt><dd><${Value} text=${s.address} what=${t('kinds.email.rule.recipient')} /></dd></div>
          <div><dt>${t('kinds.email.rule.action')}</dt><dd>${t('kinds.email.rule.actionValue', { topic: s.sns_topic })}</dd></div>
        </dl>
      </li>
      <li>
        <h3 class="kinds-subtitle">${t('kinds.email.test.title')}</h3>
        <p>${t('kinds.email.test.text', { address: s.address })}</p>
      </li>
    </ol>
  </div>`;
}

export function EmailConnect() {
  const form = useSignal({ name: '', address: '', display_name: '' });
  const errors = useSignal({});
  const error = useSignal(null);
  const busy = useSignal(false);
  const created = useSignal(null);
  const set = (key) => (value) => (form.value = { ...form.value, [key]: value });
  const submit = async (event) => {
    event.preventDefault();
    busy.value = true;
    error.value = null;
    errors.value = {};
    const { name, address, display_name } = form.value;
    try {
      created.value = await api('POST', '/v1/channels', {
        type: 'email',
        name: name.trim() || address.trim(),
        identifiers: { address: address.trim(), display_name: display_name.trim() },
      });
      tell(t('kinds.email.connected'));
    } catch (failure) {
      errors.value = fieldErrors(failure);
      error.value = failure.code === 'channel_taken' ? t('kinds.email.taken') : errorText(failure);
    }
    busy.value = false;
  };
  if (created.value) {
    const channel = created.value;
    return html`<section class="kinds-connect" aria-labelledby="kinds-email-done">
      <h2 class="kinds-title" id="kinds-email-done">${t('kinds.email.doneTitle')}</h2>
      <p class="kinds-lead">${t('kinds.email.doneLead')}</p>
      <${EmailSetup} channelId=${channel.id} />
      <div class="admin-form__actions">
        <button type="button" class="button button--primary" onClick=${() => navigate(`/admin/channels/${channel.id}`)}>${t('kinds.email.open')}</button>
      </div>
    </section>`;
  }
  return html`<form class="admin-form kinds-connect" onSubmit=${submit} aria-labelledby="kinds-email-title" novalidate>
    <h2 class="kinds-title" id="kinds-email-title">${t('kinds.email.title')}</h2>
    <p class="kinds-lead">${t('kinds.email.lead')}</p>
    ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
    <${Field} label=${t('kinds.email.address')} type="email" autocomplete="off" placeholder=${t('kinds.email.addressExample')}
      hint=${t('kinds.email.addressHint')} value=${form.value.address} error=${errors.value.address} onInput=${set('address')} />
    <${Field} label=${t('kinds.email.name')} hint=${t('kinds.email.nameHint')} value=${form.value.name} required=${false}
      maxlength="100" error=${errors.value.name} onInput=${set('name')} />
    <${Field} label=${t('kinds.email.displayName')} hint=${t('kinds.email.displayNameHint')} value=${form.value.display_name} required=${false}
      maxlength="100" error=${errors.value.display_name} onInput=${set('display_name')} />
    <div class="admin-form__actions">
      <${Button} busy=${busy.value} busyLabel=${t('kinds.connecting')}>${t('kinds.email.connect')}</${Button}>
    </div>
  </form>`;
}

export function EmailDetails({ channel }) {
  const connected = channel.status === 'connected';
  return html`<div class="kinds-details">
    <dl class="kinds-facts">
      <div><dt>${t('kinds.email.inbox')}</dt><dd class="kinds-mono">${channel.identifiers?.address ?? channel.account_id}</dd></div>
      ${channel.identifiers?.display_name && html`<div><dt>${t('kinds.email.displayName')}</dt><dd>${channel.identifiers.display_name}</dd></div>`}
      <div><dt>${t('kinds.state')}</dt><dd>${connected
        ? html`<${Badge} tone="ok">${t('kinds.email.receiving')}</${Badge}>`
        : html`<${Badge} tone="neutral">${t('kinds.disconnected')}</${Badge}>`}</dd></div>
    </dl>
    ${connected && html`<details class="kinds-disclosure">
      <summary>${t('kinds.email.showSetup')}</summary>
      <${EmailSetup} channelId=${channel.id} />
    </details>`}
  </div>`;
}
