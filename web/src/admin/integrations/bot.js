// /admin/bot: the account's bot (SPEC §4 "Bot"): a webhook that hears `bot.message`
// (a client's message in a ticket whose bot an agent turned on) and answers through the
// API, signing with the same secret. On, off, a new secret, "send test" and its log.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { formatDateTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { me } from '../../session.js';
import { Alert, Button, Dialog, Field, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Loading, Section } from '../kit.js';
import { Deliveries, OutcomeBadge } from './deliveries.js';
import { useHookActions } from './detail.js';
import { BOT_EVENT } from './events.js';
import { StateBadge } from './list.js';
import { useLoad } from '../kit.js';
import { SecretDialog } from './secret.js';
import './integrations.css';

function sample(tenantId, hookId) {
  return `import hashlib, hmac, json, time, urllib.request

SECRET = b"whsec_…"  # the bot's secret, shown once
API = "${location.origin}"

def answer(ticket_number, text, answer_id, reply_to=None):
    body = json.dumps({"id": answer_id, "text": text, "reply_to": reply_to}).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(SECRET, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{API}/v1/bot/tickets/{ticket_number}/messages",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Atiende-Tenant": "${tenantId}",
            "X-Atiende-Integration": "${hookId}",
            "X-Atiende-Timestamp": stamp,
            "X-Atiende-Signature": "sha256=" + signature,
        },
    )
    return urllib.request.urlopen(request).status  # 201`;
}

function Steps() {
  return html`<ol class="integ-steps">
    <li>${t('integ.bot.step1')}</li>
    <li>${t('integ.bot.step2')}</li>
    <li>${t('integ.bot.step3')}</li>
  </ol>`;
}

/** Connect the bot: its URL (the API generates the secret, shown once). */
function Connect({ onCreated }) {
  const url = useSignal('https://');
  const busy = useSignal(false);
  const problem = useSignal(null);
  const errors = useSignal({});
  const submit = async (event) => {
    event.preventDefault();
    problem.value = null;
    errors.value = {};
    if (!/^https?:\/\/\S+$/.test(url.value.trim())) {
      errors.value = { url: t('integ.form.urlInvalid') };
      return;
    }
    busy.value = true;
    try {
      const body = { url: url.value.trim(), events: [BOT_EVENT], active: true, description: t('integ.bot.name') };
      onCreated(await api('POST', '/v1/integrations', body));
    } catch (error) {
      problem.value = errorText(error);
      errors.value = fieldErrors(error);
      busy.value = false;
    }
  };
  return html`<${Section} id="bot-connect" class="integ-card" title=${t('integ.bot.connectTitle')}>
    <p class="integ-note">${t('integ.bot.connectText')}</p>
    <form class="admin-form" onSubmit=${submit} noValidate>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <${Field} label=${t('integ.bot.url')} type="url" value=${url.value} error=${errors.value.url} hint=${t('integ.form.urlHint')} onInput=${(v) => (url.value = v)} />
      <div class="admin-form__actions"><${Button} busy=${busy.value}>${t('integ.bot.connect')}</${Button}></div>
    </form>
  </${Section}>
  <${Section} id="bot-how" class="integ-card" title=${t('integ.bot.howTitle')}><${Steps} /></${Section}>`;
}

function UrlDialog({ hook, onClose, onSaved }) {
  const formId = useId('bot-url');
  const url = useSignal(hook.url);
  const busy = useSignal(false);
  const problem = useSignal(null);
  const submit = async (event) => {
    event.preventDefault();
    busy.value = true;
    try {
      await api('PATCH', `/v1/integrations/${hook.id}`, { url: url.value.trim() });
      onSaved();
    } catch (error) {
      problem.value = errorText(error);
      busy.value = false;
    }
  };
  return html`<${Dialog}
    title=${t('integ.bot.urlTitle')}
    onClose=${onClose}
    footer=${html`
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('admin.cancel')}</${Button}>
      <${Button} type="submit" form=${formId} busy=${busy.value}>${t('admin.save')}</${Button}>
    `}
  >
    <form id=${formId} onSubmit=${submit} noValidate>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <${Field} label=${t('integ.bot.url')} type="url" value=${url.value} hint=${t('integ.form.urlHint')} onInput=${(v) => (url.value = v)} />
    </form>
  </${Dialog}>`;
}

function Connected({ hook, reload }) {
  const editing = useSignal(false);
  const { buttons, dialogs } = useHookActions(hook, reload, { afterDelete: reload, texts: 'integ.bot' });
  return html`
    <${Section} id="bot" class="integ-card" title=${t('integ.bot.yours')} actions=${buttons}>
      <dl class="integ-facts">
        <div><dt>${t('integ.bot.url')}</dt><dd><span class="integ-mono integ-break">${hook.url}</span>
          <button type="button" class="button integ-quiet integ-inline" onClick=${() => (editing.value = true)}>${t('integ.bot.changeUrl')}</button></dd></div>
        <div><dt>${t('integ.list.state')}</dt><dd><${StateBadge} active=${hook.active} /></dd></div>
        <div>
          <dt>${t('integ.list.last')}</dt>
          <dd><${OutcomeBadge} status=${hook.last_status} />
            ${hook.last_delivery_at && html` <span class="admin-table__muted">${formatDateTime(hook.last_delivery_at)}</span>`}</dd>
        </div>
        <div><dt>${t('integ.secret.updated')}</dt><dd>${formatDateTime(hook.secret_updated_at)}</dd></div>
      </dl>
      ${!hook.active && html`<p class="integ-note integ-note--warn">${t('integ.bot.pausedNote')}</p>`}
    </${Section}>
    <${Section} id="bot-how" class="integ-card" title=${t('integ.bot.howTitle')}>
      <${Steps} />
      <pre class="integ-code-block" tabindex="0" aria-label=${t('integ.bot.sample')}><code>${sample(me.value?.tenant.id ?? '', hook.id)}</code></pre>
    </${Section}>
    <${Deliveries} hookId=${hook.id} onChange=${reload} />
    ${dialogs}
    ${editing.value &&
    html`<${UrlDialog}
      hook=${hook}
      onClose=${() => (editing.value = false)}
      onSaved=${() => {
        editing.value = false;
        tell(t('admin.saved'));
        reload();
      }}
    />`}
  `;
}

export function BotScreen() {
  const hooks = useLoad(() => api('GET', '/v1/integrations?limit=100'), '');
  const created = useSignal(null);
  const bot = hooks.data?.items.find((hook) => hook.events.includes(BOT_EVENT));
  let body;
  if (!hooks.data) body = html`<${Loading} error=${hooks.error} onRetry=${hooks.reload} />`;
  else if (!bot) body = html`<${Connect} onCreated=${(answer) => (created.value = answer)} />`;
  else body = html`<${Connected} hook=${bot} reload=${hooks.reload} />`;
  return html`<${AdminPage} title=${t('integ.bot.title')} description=${t('integ.bot.description')}>
    ${body}
    ${created.value &&
    html`<${SecretDialog}
      secret=${created.value.secret}
      onClose=${() => {
        created.value = null;
        hooks.reload();
      }}
    />`}
  </${AdminPage}>`;
}
