// The connection flow of the web chat (see ./index.js): the company names its site and
// the sites allowed to show the widget, and gets the one <script> tag to paste
// (docs/widget.md). The channel page shows that snippet, the public key and the allowed
// sites, which change in place (PATCH /v1/channels/{id} identifiers).
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { Link } from '../../router.js';
import { Alert, Button, Field, useId } from '../../ui.js';
import { Section } from '../kit.js';
import './chat.css';

const ESCAPED = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' };

/** The tag to paste. The widget is served by the console's own origin (CloudFront in
 * production); ``data-title`` heads the chat until its first session names the site. */
export function widgetSnippet(publicKey, title) {
  const named = title ? ` data-title="${title.replace(/[&"<>]/g, (c) => ESCAPED[c])}"` : '';
  return `<script src="${location.origin}/widget.js" data-key="${publicKey}"${named} async></script>`;
}

/** ``https://shop.example.com`` from what an admin types (``shop.example.com/``), or null. */
export function siteOrigin(typed) {
  const raw = typed.trim();
  if (!raw) return null;
  try {
    const url = new URL(raw.includes('://') ? raw : `https://${raw}`);
    if (!['http:', 'https:'].includes(url.protocol)) return null;
    // a host name (IDN already in punycode) or an IP; some browsers let a space through
    if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(url.hostname)) return null;
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** After a refused submit: the focus on the first field in error (once it is drawn). */
function focusFirstError(form) {
  setTimeout(() => form?.querySelector('[aria-invalid="true"]')?.focus(), 0);
}

/** The lines of the sites box: {origins, bad} (the lines that are not a site). */
function readSites(text) {
  const lines = text.split(/[\n,]+/).map((line) => line.trim()).filter(Boolean);
  const origins = [];
  const bad = [];
  for (const line of lines) {
    const origin = siteOrigin(line);
    if (origin === null) bad.push(line);
    else if (!origins.includes(origin)) origins.push(origin);
  }
  return { origins, bad };
}

function SitesField({ value, onInput, error }) {
  const id = useId('chat-sites');
  return html`<div class=${`field${error ? ' field--invalid' : ''}`}>
    <label class="field__label" for=${id}>${t('chat.sites')}</label>
    <textarea
      id=${id}
      class="field__input chat-sites"
      rows="3"
      value=${value}
      placeholder="https://www.tienda.cl"
      onInput=${(e) => onInput(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${`${id}-hint${error ? ` ${id}-error` : ''}`}
    ></textarea>
    <p class="field__hint" id=${`${id}-hint`}>${t('chat.sitesHint')}</p>
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

/** The snippet in a code box, with a button that copies it. */
export function Snippet({ publicKey, title }) {
  const copied = useSignal(false);
  const code = widgetSnippet(publicKey, title);
  const id = useId('chat-snippet');
  const copy = async () => {
    try {
      // a browser that asks the person first may not answer: select the code meanwhile
      const late = new Promise((_, fail) => setTimeout(() => fail(new Error('late')), 1500));
      await Promise.race([navigator.clipboard.writeText(code), late]);
    } catch {
      // no clipboard (an http page, a denied permission): select it for Ctrl+C
      const range = document.createRange();
      range.selectNodeContents(document.getElementById(id));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
    copied.value = true;
    setTimeout(() => (copied.value = false), 2500);
  };
  return html`<div class="chat-snippet">
    <p class="chat-snippet__intro">${t('chat.snippetIntro')}</p>
    <div class="chat-snippet__box">
      <pre class="chat-snippet__code" aria-label=${t('chat.snippet')}><code id=${id}>${code}</code></pre>
      <button type="button" class="button button--secondary chat-snippet__copy" onClick=${copy}>
        ${copied.value ? t('chat.copied') : t('chat.copy')}
      </button>
    </div>
    <p class="chat-sr" role="status">${copied.value ? t('chat.copiedAnnounce') : ''}</p>
    <p class="field__hint">${t('chat.snippetHint')}</p>
  </div>`;
}

/** /admin/channels/connect/chat: name the channel and the sites, then get the snippet. */
function Connect({ onConnected }) {
  const name = useSignal(t('chat.defaultName'));
  const site = useSignal('');
  const sites = useSignal('');
  const errors = useSignal({});
  const failure = useSignal(null);
  const busy = useSignal(false);
  const created = useSignal(null);

  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const { origins, bad } = readSites(sites.value);
    const found = {};
    if (!name.value.trim()) found.name = t('field.required');
    if (!site.value.trim()) found.site_name = t('field.required');
    if (bad.length) found.allowed_origins = t('chat.sitesBad', { sites: bad.join(', ') });
    errors.value = found;
    failure.value = null;
    if (Object.keys(found).length) return focusFirstError(form);
    busy.value = true;
    try {
      const channel = await api('POST', '/v1/channels', {
        type: 'chat',
        name: name.value.trim(),
        identifiers: { site_name: site.value.trim(), allowed_origins: origins },
      });
      created.value = channel;
      onConnected?.(channel);
    } catch (error) {
      const fields = fieldErrors(error);
      if (Object.keys(fields).length) {
        errors.value = fields;
        focusFirstError(form);
      }
      else failure.value = errorText(error);
    } finally {
      busy.value = false;
    }
  };

  if (created.value) {
    const channel = created.value;
    return html`<${Section} title=${t('chat.readyTitle')} id="chat-ready">
      <${Alert} tone="success">${t('chat.ready', { name: channel.name })}</${Alert}>
      <${Snippet} publicKey=${channel.identifiers.public_key} title=${channel.identifiers.site_name} />
      <p class="chat-actions">
        <${Link} class="button button--primary" href=${`/admin/channels/${channel.id}`}>${t('chat.openChannel')}</${Link}>
      </p>
    </${Section}>`;
  }
  return html`<${Section} title=${t('chat.connectTitle')} id="chat-connect">
    <p class="chat-lead">${t('chat.connectLead')}</p>
    <form class="admin-form" onSubmit=${submit} novalidate>
      ${failure.value && html`<${Alert}>${failure.value}</${Alert}>`}
      <${Field} label=${t('chat.name')} value=${name.value} error=${errors.value.name}
        hint=${t('chat.nameHint')} onInput=${(v) => (name.value = v)} maxlength="100" />
      <${Field} label=${t('chat.siteName')} value=${site.value} error=${errors.value.site_name}
        hint=${t('chat.siteNameHint')} onInput=${(v) => (site.value = v)} maxlength="100" />
      <${SitesField} value=${sites.value} error=${errors.value.allowed_origins}
        onInput=${(v) => (sites.value = v)} />
      <div class="admin-form__actions">
        <${Button} busy=${busy.value} busyLabel=${t('chat.connecting')}>${t('chat.connect')}</${Button}>
      </div>
    </form>
  </${Section}>`;
}

/** What the channel page shows of a chat channel: snippet, key, allowed sites (editable). */
function Details({ channel, reload }) {
  const ids = channel.identifiers || {};
  const site = useSignal(ids.site_name || '');
  const sites = useSignal((ids.allowed_origins || []).join('\n'));
  const errors = useSignal({});
  const note = useSignal(null);
  const busy = useSignal(false);
  const keyId = useId('chat-key');

  const save = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const { origins, bad } = readSites(sites.value);
    const found = {};
    if (!site.value.trim()) found.site_name = t('field.required');
    if (bad.length) found.allowed_origins = t('chat.sitesBad', { sites: bad.join(', ') });
    errors.value = found;
    note.value = null;
    if (Object.keys(found).length) return focusFirstError(form);
    busy.value = true;
    try {
      await api('PATCH', `/v1/channels/${channel.id}`, {
        identifiers: { site_name: site.value.trim(), allowed_origins: origins },
      });
      sites.value = origins.join('\n');
      note.value = { tone: 'success', text: t('admin.saved') };
      reload?.();
    } catch (error) {
      const fields = fieldErrors(error);
      if (Object.keys(fields).length) {
        errors.value = fields;
        focusFirstError(form);
      }
      else note.value = { tone: 'error', text: errorText(error) };
    } finally {
      busy.value = false;
    }
  };

  return html`<div class="chat-details">
    <${Section} title=${t('chat.snippetTitle')} id="chat-snippet">
      <${Snippet} publicKey=${ids.public_key} title=${ids.site_name} />
      <p class="chat-key">
        <span id=${keyId}>${t('chat.publicKey')}</span>
        <code aria-labelledby=${keyId}>${ids.public_key}</code>
      </p>
    </${Section}>
    <${Section} title=${t('chat.sitesTitle')} id="chat-sites">
      <form class="admin-form" onSubmit=${save} novalidate>
        ${note.value && html`<${Alert} tone=${note.value.tone}>${note.value.text}</${Alert}>`}
        <${Field} label=${t('chat.siteName')} value=${site.value} error=${errors.value.site_name}
          hint=${t('chat.siteNameHint')} onInput=${(v) => (site.value = v)} maxlength="100" />
        <${SitesField} value=${sites.value} error=${errors.value.allowed_origins}
          onInput=${(v) => (sites.value = v)} />
        <div class="admin-form__actions">
          <${Button} busy=${busy.value}>${t('chat.saveSites')}</${Button}>
        </div>
      </form>
    </${Section}>
  </div>`;
}

export const CHAT_KINDS = { chat: { Connect, Details } };
