// /admin/channels/connect/<type>: the type's own connection flow (``KINDS[type].Connect``,
// ./kinds/), or a clear "not available yet" for a type that has none here.
import { ChannelIcon, channelName, CHANNEL_TYPES } from '../channels.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link } from '../router.js';
import { KINDS } from './kinds/index.js';
import { AdminPage } from './layout.js';
import { EmptyState, Section } from './kit.js';
import './channels.css';

export function ConnectScreen({ type }) {
  const known = CHANNEL_TYPES.includes(type);
  const Connect = known ? KINDS[type]?.Connect : null;
  const name = known ? channelName(type) : type;
  return html`<${AdminPage}
    title=${t('adminChannels.connectTitle', { name })}
    description=${known ? t(`adminChannels.type.${type}`) : null}
    back=${{ href: '/admin/channels', label: t('adminChannels.title') }}
  >
    ${Connect
      ? html`<${Connect} type=${type} />`
      : html`<${Section} title=${html`<span class="channels__heading">${known && html`<${ChannelIcon} type=${type} decorative=${true} />`}${name}</span>`}>
          <${EmptyState}
            title=${known ? t('adminChannels.notYet.title') : t('adminChannels.unknown.title')}
            text=${known ? t('adminChannels.notYet.text') : t('adminChannels.unknown.text')}
            action=${html`<${Link} href="/admin/channels" class="button button--secondary">${t('adminChannels.backToList')}</${Link}>`}
          />
        </${Section}>`}
  </${AdminPage}>`;
}
