// App Store and Google Play: reviews are read with the company's API key. The key file
// is read in the browser (FileReader) and sent once; it is never shown again: the channel
// page says when it was loaded and offers to replace it (PATCH credentials).
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { formatDateTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { navigate } from '../../router.js';
import { Alert, Button, Dialog, Field, useId } from '../../ui.js';
import { Badge } from '../kit.js';
import { useLoad } from '../kit.js';
import './others.css';

const MAX_KEY_BYTES = 64 * 1024;

/** A key file: read as text here; ``check(text)`` says what is wrong with it, or ''. */
function KeyFile({ label, hint, accept, loaded, error, onText, check }) {
  const id = useId('keyfile');
  const problem = useSignal('');
  const read = (event) => {
    const file = event.currentTarget.files?.[0];
    problem.value = '';
    if (!file) return onText(null, '');
    if (file.size > MAX_KEY_BYTES) {
      problem.value = t('kinds.key.tooBig');
      return onText(null, '');
    }
    const reader = new FileReader();
    reader.onload = () => {
      const text = String(reader.result || '');
      const wrong = check(text);
      problem.value = wrong;
      onText(wrong ? null : text, file.name);
    };
    reader.onerror = () => (problem.value = t('kinds.key.unreadable'));
    reader.readAsText(file);
  };
  const shown = problem.value || error;
  const described = [`${id}-hint`, shown && `${id}-error`].filter(Boolean).join(' ');
  return html`<div class=${`field kinds-file${shown ? ' field--invalid' : ''}`}>
    <label class="field__label" for=${id}>${label}</label>
    <div class=${`kinds-file__box${loaded ? ' kinds-file__box--loaded' : ''}`}>
      <input id=${id} class="kinds-file__input" type="file" accept=${accept} required onChange=${read}
        aria-invalid=${shown ? 'true' : undefined} aria-describedby=${described} />
      <span class="kinds-file__button" aria-hidden="true">${loaded ? t('kinds.key.change') : t('kinds.key.choose')}</span>
      <span class="kinds-file__name" aria-hidden="true">${loaded || t('kinds.key.noFile')}</span>
    </div>
    <p class="field__hint" id=${`${id}-hint`}>${loaded ? html`<span class="kinds-file__ok">${t('kinds.key.read', { file: loaded })}</span>` : hint}</p>
    ${shown && html`<p class="field__error" id=${`${id}-error`}>${shown}</p>`}
  </div>`;
}

/** A small padlock: the key is kept sealed. */
export const Lock = () => html`<svg class="kinds-lock-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 0 1 8 0v4" /></svg>`;

const checkP8 = (text) => (/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(text) ? '' : t('kinds.appStore.notP8'));

function checkServiceAccount(text) {
  try {
    const key = JSON.parse(text);
    return key && key.type === 'service_account' && key.private_key && key.client_email ? '' : t('kinds.play.notServiceAccount');
  } catch {
    return t('kinds.play.notJson');
  }
}

/** What each store asks: identifiers (typed once) and the key's fields. */
const STORES = {
  app_store: {
    prefix: 'kinds.appStore',
    ids: [['app_id', { inputmode: 'numeric', pattern: '[0-9]*', autocomplete: 'off' }]],
    secrets: [['issuer_id', { autocomplete: 'off', spellcheck: false }], ['key_id', { autocomplete: 'off', spellcheck: false }]],
    file: { field: 'private_key', accept: '.p8,application/pkcs8,text/plain', check: checkP8 },
  },
  play_store: {
    prefix: 'kinds.play',
    ids: [['package_name', { autocomplete: 'off', spellcheck: false }]],
    secrets: [],
    file: { field: 'service_account_json', accept: '.json,application/json', check: checkServiceAccount },
  },
};

/** The key's fields and file, shared by connecting and replacing. */
function KeyFields({ store, values, errors, set, fileName, setFile }) {
  const { prefix, secrets, file } = STORES[store];
  return html`
    ${secrets.map(([key, extra]) => html`<${Field} label=${t(`${prefix}.${key}`)} hint=${t(`${prefix}.${key}Hint`)}
      value=${values[key] ?? ''} error=${errors[key]} onInput=${set(key)} ...${extra} />`)}
    <${KeyFile} label=${t(`${prefix}.file`)} hint=${t(`${prefix}.fileHint`)} accept=${file.accept} check=${file.check}
      loaded=${fileName} error=${errors[file.field]} onText=${setFile} />
  `;
}

function useKeyForm(store) {
  const values = useSignal({});
  const fileName = useSignal('');
  const set = (key) => (value) => (values.value = { ...values.value, [key]: value });
  const setFile = (text, name) => {
    values.value = { ...values.value, [STORES[store].file.field]: text };
    fileName.value = text ? name : '';
  };
  const credentials = () => {
    const { file, secrets } = STORES[store];
    const out = { [file.field]: values.value[file.field] };
    for (const [key] of secrets) out[key] = (values.value[key] ?? '').trim();
    return out;
  };
  return { values, fileName, set, setFile, credentials };
}

function StoreConnect({ store }) {
  const { prefix, ids, file } = STORES[store];
  const form = useKeyForm(store);
  const errors = useSignal({});
  const error = useSignal(null);
  const busy = useSignal(false);
  const submit = async (event) => {
    event.preventDefault();
    error.value = null;
    errors.value = {};
    if (!form.values.value[file.field]) {
      errors.value = { [file.field]: t('kinds.key.missing') };
      return;
    }
    busy.value = true;
    const identifiers = Object.fromEntries(ids.map(([key]) => [key, (form.values.value[key] ?? '').trim()]));
    const name = (form.values.value.name ?? '').trim() || t(`${prefix}.defaultName`);
    try {
      const channel = await api('POST', '/v1/channels', { type: store, name, identifiers, credentials: form.credentials() });
      tell(t('kinds.key.connected'));
      navigate(`/admin/channels/${channel.id}`);
    } catch (failure) {
      errors.value = fieldErrors(failure);
      error.value = failure.code === 'channel_taken' ? t(`${prefix}.taken`) : errorText(failure);
      busy.value = false;
    }
  };
  const titleId = `kinds-${store}-title`;
  return html`<form class="admin-form kinds-connect" onSubmit=${submit} aria-labelledby=${titleId} novalidate>
    <h2 class="kinds-title" id=${titleId}>${t(`${prefix}.title`)}</h2>
    <p class="kinds-lead">${t(`${prefix}.lead`)}</p>
    ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
    <${Field} label=${t('kinds.key.name')} hint=${t(`${prefix}.nameHint`)} required=${false} maxlength="100"
      value=${form.values.value.name ?? ''} error=${errors.value.name} onInput=${form.set('name')} />
    ${ids.map(([key, extra]) => html`<${Field} label=${t(`${prefix}.${key}`)} hint=${t(`${prefix}.${key}Hint`)}
      value=${form.values.value[key] ?? ''} error=${errors.value[key]} onInput=${form.set(key)} ...${extra} />`)}
    <${KeyFields} store=${store} values=${form.values.value} errors=${errors.value} set=${form.set}
      fileName=${form.fileName.value} setFile=${form.setFile} />
    <p class="kinds-muted kinds-lock"><${Lock} />${t('kinds.key.once')}</p>
    <div class="admin-form__actions">
      <${Button} busy=${busy.value} busyLabel=${t('kinds.connecting')}>${t(`${prefix}.connect`)}</${Button}>
    </div>
  </form>`;
}

function ReplaceKey({ channel, onClose, onDone }) {
  const store = channel.type;
  const { file } = STORES[store];
  const form = useKeyForm(store);
  const errors = useSignal({});
  const error = useSignal(null);
  const busy = useSignal(false);
  const save = async (event) => {
    event.preventDefault();
    error.value = null;
    errors.value = {};
    if (!form.values.value[file.field]) {
      errors.value = { [file.field]: t('kinds.key.missing') };
      return;
    }
    busy.value = true;
    try {
      await api('PATCH', `/v1/channels/${channel.id}`, { credentials: form.credentials() });
      tell(t('kinds.key.replaced'));
      onDone();
      onClose();
    } catch (failure) {
      errors.value = fieldErrors(failure);
      error.value = errorText(failure);
      busy.value = false;
    }
  };
  return html`<${Dialog} title=${t('kinds.key.replaceTitle')} description=${t('kinds.key.replaceText')} onClose=${onClose}>
    <form class="admin-form" onSubmit=${save} novalidate>
      ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
      <${KeyFields} store=${store} values=${form.values.value} errors=${errors.value} set=${form.set}
        fileName=${form.fileName.value} setFile=${form.setFile} />
      <div class="admin-form__actions">
        <button type="button" class="button button--secondary" onClick=${onClose}>${t('admin.cancel')}</button>
        <${Button} busy=${busy.value}>${t('kinds.key.replace')}</${Button}>
      </div>
    </form>
  </${Dialog}>`;
}

/** When the key now in use was loaded: its last replacement, else the connection. */
function keyLoadedAt(channel, history) {
  const replaced = (history?.items ?? []).find((entry) => entry.after?.credentials === 'replaced');
  return replaced?.at ?? channel.created_at;
}

function StoreDetails({ channel, reload }) {
  const { prefix, ids } = STORES[channel.type];
  const replacing = useSignal(false);
  const history = useLoad(() => api('GET', `/v1/channels/${channel.id}/history?limit=50`), channel.id);
  const connected = channel.status === 'connected';
  let poll = html`<${Badge} tone="info">${t('kinds.poll.waiting')}</${Badge}>`;
  if (!connected) poll = html`<${Badge} tone="neutral">${t('kinds.disconnected')}</${Badge}>`;
  else if (channel.poll_error) poll = html`<${Badge} tone="danger">${t('kinds.poll.failing')}</${Badge}>`;
  else if (channel.polled_at) poll = html`<${Badge} tone="ok">${t('kinds.poll.ok')}</${Badge}>`;
  return html`<div class="kinds-details">
    <dl class="kinds-facts">
      ${ids.map(([key]) => html`<div><dt>${t(`${prefix}.${key}`)}</dt><dd class="kinds-mono">${channel.identifiers?.[key] ?? '—'}</dd></div>`)}
      <div><dt>${t('kinds.key.title')}</dt><dd>
        ${channel.has_credentials
          ? html`<span class="kinds-lock"><${Lock} />${t('kinds.key.loadedAt', { when: formatDateTime(keyLoadedAt(channel, history.data)) })}</span>`
          : html`<${Badge} tone="warn">${t('kinds.key.none')}</${Badge}>`}
      </dd></div>
      <div><dt>${t('kinds.poll.title')}</dt><dd>${poll}
        ${channel.polled_at && html`<span class="kinds-muted"> ${t('kinds.poll.last', { when: formatDateTime(channel.polled_at) })}</span>`}
      </dd></div>
    </dl>
    ${connected && channel.poll_error && html`<${Alert} title=${t('kinds.poll.errorTitle')}>
      <p class="kinds-detail">${channel.poll_error}</p>
      ${channel.poll_error_at && html`<p class="kinds-muted">${t('kinds.poll.errorAt', { when: formatDateTime(channel.poll_error_at) })}</p>`}
      <p>${t(`${prefix}.fix`)}</p>
    </${Alert}>`}
    ${connected && html`<div class="kinds-actions">
      <button type="button" class="button button--secondary" onClick=${() => (replacing.value = true)}>${t('kinds.key.replace')}</button>
    </div>`}
    ${replacing.value && html`<${ReplaceKey} channel=${channel} onClose=${() => (replacing.value = false)} onDone=${() => {
      reload?.();
      history.reload();
    }} />`}
  </div>`;
}

export const AppStoreConnect = () => html`<${StoreConnect} store="app_store" />`;
export const PlayStoreConnect = () => html`<${StoreConnect} store="play_store" />`;
export { StoreDetails };
