// Administrador > Canales (seed 001): the company's channels with their state (connected,
// credentials refused, expiring on a date, with what to do), a way to disconnect each, and
// the nine channel types to connect.
import { useSignal } from '@preact/signals';
import { api } from '../api.js';
import { ChannelIcon, channelName, CHANNEL_TYPES } from '../channels.js';
import { formatDateTime } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { tell } from '../notice.js';
import { Link } from '../router.js';
import { AdminPage } from './layout.js';
import { Badge, ConfirmDialog, EmptyState, Loading, Section, useLoad } from './kit.js';
import './channels.css';

/** Credentials expiring within this many days are shown as a warning. */
const SOON_DAYS = 14;

/** The state of a channel: {tone, label, advice}. */
export function channelState(channel, now = Date.now()) {
  if (channel.status !== 'connected') {
    return { tone: 'neutral', label: t('adminChannels.state.disconnected'), advice: null };
  }
  if (channel.poll_error) {
    return { tone: 'danger', label: t('adminChannels.state.refused'), advice: t('adminChannels.advice.refused') };
  }
  const expires = channel.credentials_expire_at ? Date.parse(channel.credentials_expire_at) : null;
  if (expires !== null && expires <= now) {
    return { tone: 'danger', label: t('adminChannels.state.expired'), advice: t('adminChannels.advice.expired') };
  }
  if (expires !== null && expires - now < SOON_DAYS * 86_400_000) {
    return {
      tone: 'warn',
      label: t('adminChannels.state.expiring', { date: formatDateTime(channel.credentials_expire_at) }),
      advice: t('adminChannels.advice.expiring'),
    };
  }
  return {
    tone: 'ok',
    label: t('adminChannels.state.connected'),
    advice: expires ? t('adminChannels.advice.expiresOn', { date: formatDateTime(channel.credentials_expire_at) }) : null,
  };
}

/** What names the account at its provider (a page, a number, an address…). */
function accountOf(channel) {
  const ids = channel.identifiers || {};
  if (ids.username) return `@${ids.username}`;
  return ids.display_phone_number || ids.page_name || ids.address || ids.screen_name || ids.site_name || ids.package_name || ids.app_id || (ids.keywords || []).join(', ') || '';
}

function ChannelRow({ channel, onDisconnect }) {
  const state = channelState(channel);
  const connected = channel.status === 'connected';
  return html`<tr class=${connected ? '' : 'channels__row--off'}>
    <td>
      <div class="channels__who">
        <${ChannelIcon} type=${channel.type} />
        <div>
          <${Link} href=${`/admin/channels/${channel.id}`} class="channels__name">${channel.name}</${Link}>
          <div class="admin-table__muted">${channelName(channel.type)}${accountOf(channel) ? ` · ${accountOf(channel)}` : ''}</div>
        </div>
      </div>
    </td>
    <td>
      <${Badge} tone=${state.tone}>${state.label}</${Badge}>
      ${state.advice && html`<div class="channels__advice">${state.advice}</div>`}
    </td>
    <td class="admin-table__actions">
      ${connected &&
      html`<button type="button" class="button button--secondary channels__small" onClick=${() => onDisconnect(channel)} aria-label=${t('adminChannels.disconnectNamed', { name: channel.name })}>
        ${t('adminChannels.disconnect')}
      </button>`}
    </td>
  </tr>`;
}

function TypeGrid() {
  return html`<ul class="channels__types">
    ${CHANNEL_TYPES.map(
      (type) => html`<li>
        <${Link} href=${`/admin/channels/connect/${type}`} class="channels__type">
          <${ChannelIcon} type=${type} size="lg" decorative=${true} />
          <span class="channels__type-name">${channelName(type)}</span>
          <span class="channels__type-text">${t(`adminChannels.type.${type}`)}</span>
        </${Link}>
      </li>`,
    )}
  </ul>`;
}

export function ChannelsScreen() {
  const list = useLoad(() => api('GET', '/v1/channels?limit=100'));
  const leaving = useSignal(null);
  const channels = list.data?.items ?? [];
  const ordered = [...channels].sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'connected' ? -1 : 1));
  const disconnect = async () => {
    const channel = leaving.value;
    await api('DELETE', `/v1/channels/${encodeURIComponent(channel.id)}`);
    tell(t('adminChannels.disconnected', { name: channel.name }));
    list.reload();
  };
  return html`<${AdminPage}
    title=${t('adminChannels.title')}
    description=${t('adminChannels.description')}
    actions=${html`<a href="#connect-channel" class="button button--primary">${t('adminChannels.connect')}</a>`}
  >
    <${Section} title=${t('adminChannels.yours')} id="your-channels">
      ${list.data === null
        ? html`<${Loading} error=${list.error} onRetry=${list.reload} />`
        : ordered.length === 0
          ? html`<${EmptyState} title=${t('adminChannels.empty.title')} text=${t('adminChannels.empty.text')} />`
          : html`<div class="admin-table-wrap">
              <table class="admin-table channels__table">
                <thead>
                  <tr>
                    <th scope="col">${t('adminChannels.col.channel')}</th>
                    <th scope="col">${t('adminChannels.col.state')}</th>
                    <th scope="col"><span class="visually-hidden">${t('adminChannels.col.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${ordered.map((channel) => html`<${ChannelRow} key=${channel.id} channel=${channel} onDisconnect=${(c) => (leaving.value = c)} />`)}
                </tbody>
              </table>
            </div>`}
    </${Section}>
    <${Section} title=${t('adminChannels.connect')} id="connect-channel">
      <p class="channels__lead">${t('adminChannels.connectLead')}</p>
      <${TypeGrid} />
    </${Section}>
    ${leaving.value &&
    html`<${ConfirmDialog}
      title=${t('adminChannels.confirm.title', { name: leaving.value.name })}
      text=${t('adminChannels.confirm.text')}
      confirmLabel=${t('adminChannels.disconnect')}
      onConfirm=${disconnect}
      onClose=${() => (leaving.value = null)}
    />`}
  </${AdminPage}>`;
}
