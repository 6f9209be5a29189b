// One channel (issue 13, seed 001): its name, its state — connected, credentials refused
// or expiring — with what to do about it, its connection details, "Desconectar", and its
// settings (SLA targets, business hours, auto-replies), each part saved on its own with
// PATCH /v1/channels/{id} {settings: {<part>}} (the API merges the settings part by part).
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { ChannelIcon, channelName } from '../../channels.js';
import { errorText } from '../../errors.js';
import { formatDateTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Link, navigate } from '../../router.js';
import { Alert, Button, Field, useId } from '../../ui.js';
import { KINDS } from '../kinds/index.js';
import { AdminPage } from '../layout.js';
import { Badge, ConfirmDialog, Loading, Section } from '../kit.js';
import { HoursPart } from './channel-hours.js';
import { Part, problemsOf, useLoad, usePart } from './parts.js';
import './settings.css';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the channel's state is, and what to do about it: {tone, label, text, action}. */
export function channelState(channel, at = Date.now()) {
  const reconnect = { href: `/admin/channels/connect/${channel.type}`, label: t('settings.state.reconnect') };
  if (channel.status !== 'connected') {
    return { tone: 'neutral', label: t('settings.state.disconnected'), text: t('settings.state.disconnectedText'), action: reconnect };
  }
  if (channel.poll_error) {
    return {
      tone: 'danger',
      label: t('settings.state.refused'),
      text: t('settings.state.refusedText', { reason: channel.poll_error }),
      since: channel.poll_error_at,
      action: reconnect,
    };
  }
  if (channel.credentials_expire_at) {
    const left = new Date(channel.credentials_expire_at).getTime() - at;
    const date = formatDateTime(channel.credentials_expire_at);
    if (left <= 0) {
      return { tone: 'danger', label: t('settings.state.expired'), text: t('settings.state.expiredText', { date }), action: reconnect };
    }
    if (left <= 14 * DAY_MS) {
      return { tone: 'warn', label: t('settings.state.expiring'), text: t('settings.state.expiringText', { date }), action: reconnect };
    }
    return { tone: 'ok', label: t('settings.state.connected'), text: t('settings.state.connectedUntil', { date }) };
  }
  return { tone: 'ok', label: t('settings.state.connected'), text: t('settings.state.connectedText') };
}

function StatePanel({ channel }) {
  const state = channelState(channel);
  return html`<div class=${`chstate chstate--${state.tone}`} role="status">
    <span class="chstate__icon" aria-hidden="true">
      <svg viewBox="0 0 24 24" focusable="false">
        ${state.tone === 'ok'
          ? html`<path d="M6 12.5l4 4 8-9" />`
          : state.tone === 'neutral'
            ? html`<path d="M8 8l8 8M16 8l-8 8" />`
            : html`<path d="M12 7v6" /><path d="M12 16.5v.5" />`}
      </svg>
    </span>
    <div class="chstate__text">
      <p class="chstate__label">${state.label}</p>
      <p class="chstate__detail">${state.text}</p>
      ${channel.polled_at && html`<p class="chstate__meta">${t('settings.state.polledAt', { date: formatDateTime(channel.polled_at) })}</p>`}
    </div>
    ${state.action && html`<${Link} class="button button--secondary chstate__action" href=${state.action.href}>${state.action.label}</${Link}>`}
  </div>`;
}

function ConnectionPart({ channel, reload, onSaved, readOnly }) {
  const name = useSignal(channel.name);
  const busy = useSignal(false);
  const error = useSignal(null);
  const Details = KINDS[channel.type]?.Details;
  const dirty = name.value.trim() !== channel.name;
  const id = useId('rename');
  async function save(event) {
    event.preventDefault();
    error.value = null;
    if (!name.value.trim()) {
      error.value = t('settings.required');
      return;
    }
    busy.value = true;
    try {
      onSaved(await api('PATCH', `/v1/channels/${channel.id}`, { name: name.value.trim() }));
      tell(t('settings.saved.name'));
    } catch (failure) {
      const problems = problemsOf(failure);
      error.value = problems.name || errorText(failure);
    } finally {
      busy.value = false;
    }
  }
  return html`<${Section} id="channel-connection" title=${t('settings.connection.title')}>
    <form class="chform chform--inline" onSubmit=${save} noValidate aria-labelledby=${`${id}-label`}>
      <span class="visually-hidden" id=${`${id}-label`}>${t('settings.connection.rename')}</span>
      <${Field}
        label=${t('settings.connection.name')}
        value=${name.value}
        maxLength="100"
        error=${error.value}
        disabled=${readOnly}
        onInput=${(value) => {
          name.value = value;
          error.value = null;
        }}
      />
      ${!readOnly && html`<${Button} busy=${busy.value} disabled=${!dirty || busy.value}>${t('settings.connection.saveName')}</${Button}>`}
    </form>
    <dl class="chfacts">
      <div><dt>${t('settings.connection.type')}</dt><dd><${ChannelIcon} type=${channel.type} size="sm" decorative /> ${channelName(channel.type)}</dd></div>
      ${!Details && html`<div><dt>${t('settings.connection.account')}</dt><dd class="chfacts__mono">${channel.account_id}</dd></div>`}
      <div><dt>${t('settings.connection.since')}</dt><dd>${formatDateTime(channel.created_at)}</dd></div>
    </dl>
    ${Details && html`<div class="chdetails"><${Details} channel=${channel} reload=${reload} /></div>`}
  </${Section}>`;
}

// --- SLA -----------------------------------------------------------------------------------
const minutesOrNull = (text) => (String(text).trim() === '' ? null : Number(text));

function SlaPart({ channel, onSaved, readOnly }) {
  const part = usePart(channel, 'sla', (sla) => ({
    first: sla.first_response_minutes ?? '',
    resolution: sla.resolution_minutes ?? '',
    mode: sla.mode,
  }));
  const d = part.draft.value;
  const check = () => {
    const found = {};
    for (const [key, field] of [['first', 'first_response_minutes'], ['resolution', 'resolution_minutes']]) {
      const value = String(d[key]).trim();
      if (value !== '' && (!/^\d+$/.test(value) || Number(value) < 1)) found[field] = t('settings.sla.whole');
    }
    return found;
  };
  const save = () =>
    part.save(
      check,
      () => ({ first_response_minutes: minutesOrNull(d.first), resolution_minutes: minutesOrNull(d.resolution), mode: d.mode }),
      onSaved,
      t('settings.saved.sla'),
    );
  const noHours = d.mode === 'business' && !channel.settings.business_hours;
  return html`<${Part} id="channel-sla" title=${t('settings.sla.title')} text=${t('settings.sla.text')} part=${part} onSave=${save} readOnly=${readOnly}>
    <div class="chgrid">
      <${Field}
        label=${t('settings.sla.first')}
        hint=${t('settings.sla.minutesHint')}
        type="number"
        min="1"
        inputMode="numeric"
        required=${false}
        value=${d.first}
        error=${part.errors.value.first_response_minutes}
        onInput=${(value) => part.set({ first: value }, 'first_response_minutes')}
      />
      <${Field}
        label=${t('settings.sla.resolution')}
        hint=${t('settings.sla.minutesHint')}
        type="number"
        min="1"
        inputMode="numeric"
        required=${false}
        value=${d.resolution}
        error=${part.errors.value.resolution_minutes}
        onInput=${(value) => part.set({ resolution: value }, 'resolution_minutes')}
      />
    </div>
    <fieldset class="segmented chsegmented">
      <legend class="field__label">${t('settings.sla.mode')}</legend>
      <div class="segmented__options">
        ${['calendar', 'business'].map(
          (mode) => html`<label class=${`segmented__option${d.mode === mode ? ' segmented__option--on' : ''}`}>
            <input type="radio" name=${`sla-mode-${channel.id}`} value=${mode} checked=${d.mode === mode} onChange=${() => part.set({ mode }, 'mode')} />
            ${t(`settings.sla.mode.${mode}`)}
          </label>`,
        )}
      </div>
      <p class="field__hint">${t(`settings.sla.mode.${d.mode}.hint`)}</p>
    </fieldset>
    ${noHours && html`<${Alert} tone="success">${t('settings.sla.noHours')}</${Alert}>`}
  </${Part}>`;
}

// --- auto-replies ----------------------------------------------------------------------------
const REPLIES = ['first_message', 'no_agent', 'out_of_hours'];

function Switch({ label, checked, onChange, describedBy, disabled }) {
  return html`<label class="chswitch">
    <input type="checkbox" role="switch" checked=${checked} disabled=${disabled} aria-describedby=${describedBy} onChange=${(e) => onChange(e.currentTarget.checked)} />
    <span class="chswitch__track" aria-hidden="true"><span class="chswitch__thumb"></span></span>
    <span class="chswitch__label">${label}</span>
  </label>`;
}

function ReplyEditor({ kind, reply, error, onChange, readOnly, noHours }) {
  const id = useId(`reply-${kind}`);
  return html`<div class=${`chreply${reply.enabled ? ' chreply--on' : ''}`}>
    <div class="chreply__head">
      <${Switch} label=${t(`settings.replies.${kind}`)} checked=${reply.enabled} disabled=${readOnly} describedBy=${`${id}-hint`} onChange=${(enabled) => onChange({ ...reply, enabled })} />
    </div>
    <p class="field__hint chreply__hint" id=${`${id}-hint`}>${t(`settings.replies.${kind}.hint`)}</p>
    ${kind === 'out_of_hours' && noHours && reply.enabled && html`<p class="chreply__warn">${t('settings.replies.noHours')}</p>`}
    <div class=${`field${error ? ' field--invalid' : ''}`}>
      <label class="field__label" for=${`${id}-text`}>${t(`settings.replies.${kind}.text`)}</label>
      <textarea
        id=${`${id}-text`}
        class="field__input chreply__text"
        rows="3"
        maxLength="1000"
        disabled=${readOnly}
        placeholder=${t(`settings.replies.${kind}.placeholder`)}
        aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${error ? `${id}-error` : undefined}
        value=${reply.text}
        onInput=${(e) => onChange({ ...reply, text: e.currentTarget.value })}
      ></textarea>
      <p class="chreply__count" aria-hidden="true">${reply.text.length}/1000</p>
      ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
    </div>
  </div>`;
}

function RepliesPart({ channel, onSaved, readOnly }) {
  const part = usePart(channel, 'auto_replies', (replies) => ({ ...replies, quiet: String(replies.quiet_period_minutes) }));
  const d = part.draft.value;
  const errors = part.errors.value;
  const check = () => {
    const found = {};
    for (const kind of REPLIES) {
      if (d[kind].enabled && !d[kind].text.trim()) found[`${kind}.text`] = t('settings.replies.textRequired');
    }
    if (!/^\d+$/.test(d.quiet.trim()) || Number(d.quiet) > 10080) found.quiet_period_minutes = t('settings.replies.quietRange');
    return found;
  };
  const save = () =>
    part.save(
      check,
      () => ({
        ...Object.fromEntries(REPLIES.map((kind) => [kind, { enabled: d[kind].enabled, text: d[kind].text.trim() }])),
        quiet_period_minutes: Number(d.quiet),
      }),
      onSaved,
      t('settings.saved.replies'),
    );
  return html`<${Part} id="channel-replies" title=${t('settings.replies.title')} text=${t('settings.replies.text')} part=${part} onSave=${save} readOnly=${readOnly}>
    <div class="chreplies">
      ${REPLIES.map(
        (kind) => html`<${ReplyEditor}
          kind=${kind}
          reply=${d[kind]}
          readOnly=${readOnly}
          noHours=${!channel.settings.business_hours}
          error=${errors[`${kind}.text`] || errors[`${kind}.enabled`]}
          onChange=${(reply) => part.set({ [kind]: reply }, `${kind}.text`)}
        />`,
      )}
    </div>
    <div class="chquiet">
      <${Field}
        label=${t('settings.replies.quiet')}
        hint=${t('settings.replies.quietHint')}
        type="number"
        min="0"
        max="10080"
        inputMode="numeric"
        value=${d.quiet}
        disabled=${readOnly}
        error=${errors.quiet_period_minutes}
        onInput=${(value) => part.set({ quiet: value }, 'quiet_period_minutes')}
      />
    </div>
  </${Part}>`;
}

// --- the page ---------------------------------------------------------------------------------
export function ChannelScreen({ id }) {
  const found = useLoad(() => api('GET', `/v1/channels/${encodeURIComponent(id)}`), id);
  const latest = useSignal(null);
  const asking = useSignal(false);
  const channel = latest.value?.id === id ? latest.value : found.data;
  const back = { href: '/admin/channels', label: t('settings.channel.back') };
  if (!channel) {
    const missing = found.error?.status === 404;
    return html`<${AdminPage} title=${missing ? t('settings.channel.missing') : t('settings.channel.nav')} back=${back}>
      ${missing
        ? html`<div class="admin-empty"><p class="admin-empty__title">${t('settings.channel.missingText')}</p></div>`
        : html`<${Loading} error=${found.error} onRetry=${found.reload} />`}
    </${AdminPage}>`;
  }
  const onSaved = (saved) => (latest.value = saved);
  const reload = () => {
    latest.value = null;
    found.reload();
  };
  const connected = channel.status === 'connected';
  const disconnect = async () => {
    await api('DELETE', `/v1/channels/${channel.id}`);
    tell(t('settings.disconnected', { name: channel.name }));
    navigate('/admin/channels');
  };
  return html`<${AdminPage}
    title=${channel.name}
    description=${html`<span class="chhead"><${ChannelIcon} type=${channel.type} size="sm" decorative />${channelName(channel.type)}<span aria-hidden="true">·</span><${Badge} tone=${channelState(channel).tone}>${channelState(channel).label}</${Badge}></span>`}
    back=${back}
    actions=${connected &&
    html`<button type="button" class="button button--secondary chdanger" onClick=${() => (asking.value = true)}>${t('settings.disconnect')}</button>`}
  >
    <${Section} id="channel-state" title=${t('settings.state.title')}><${StatePanel} channel=${channel} /></${Section}>
    <${ConnectionPart} key=${`${channel.id}-name`} channel=${channel} reload=${reload} onSaved=${onSaved} readOnly=${!connected} />
    <${SlaPart} key=${`${channel.id}-sla`} channel=${channel} onSaved=${onSaved} readOnly=${!connected} />
    <${HoursPart} key=${`${channel.id}-hours`} channel=${channel} onSaved=${onSaved} readOnly=${!connected} />
    <${RepliesPart} key=${`${channel.id}-replies`} channel=${channel} onSaved=${onSaved} readOnly=${!connected} />
    ${asking.value &&
    html`<${ConfirmDialog}
      title=${t('settings.disconnect.title', { name: channel.name })}
      text=${t('settings.disconnect.text')}
      confirmLabel=${t('settings.disconnect')}
      onConfirm=${disconnect}
      onClose=${() => (asking.value = false)}
    />`}
  </${AdminPage}>`;
}
