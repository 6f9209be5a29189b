// Cuenta (seed 000): the establishment, users, channels, quick replies and departments at
// a glance (GET /v1/account/summary), each card with the actions the seed lists.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { ChannelIcon, channelName } from '../../channels.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Link } from '../../router.js';
import { can, me } from '../../session.js';
import { Button } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, ConfirmDialog, EmptyState, Loading, Section } from '../kit.js';
import { useLoad } from '../kit.js';
import { DepartmentDialog } from './departments.js';
import { Avatar, fullName, roleName, StateBadge } from './people.js';
import { CreateUserDialog } from './users.js';
import './account.css';

const linkButton = (href, text, label) =>
  html`<${Link} href=${href} class="button button--secondary button--compact" aria-label=${label}>${text}</${Link}>`;

function Count({ count, label }) {
  return html`<p class="summary__count"><strong>${count}</strong> ${label}</p>`;
}

function EstablishmentCard({ establishment }) {
  const rows = [
    ['account.est.name', establishment.name],
    ['account.est.adminEmail', establishment.admin_email],
    ['account.est.address', establishment.address || '—'],
    ['account.est.locale', t(`establishment.locale.${establishment.locale}`)],
    ['account.est.timezone', establishment.timezone.replaceAll('_', ' ')],
    ['account.est.legalName', establishment.fiscal?.legal_name || '—'],
    ['account.est.taxId', establishment.fiscal?.tax_id || '—'],
  ];
  return html`<${Section}
    title=${t('account.establishment')}
    id="account-establishment"
    class="summary summary--wide"
    actions=${html`
      ${can('billing.read') && linkButton('/admin/billing', t('billing.title'), t('account.openBilling'))}
      ${linkButton('/admin/establishment', can('account.manage') ? t('account.edit') : t('account.see'), t('account.editEstablishment'))}
    `}
  >
    <dl class="facts-list facts-list--columns">
      ${rows.map(([key, value]) => html`<div><dt>${t(key)}</dt><dd>${value}</dd></div>`)}
    </dl>
  </${Section}>`;
}

function UsersCard({ section, onChanged }) {
  const adding = useSignal(false);
  const busy = useSignal(null);
  const manage = can('users.manage');
  const deactivate = async (user) => {
    busy.value = user.id;
    try {
      await api('POST', `/v1/users/${user.id}/deactivate`);
      tell(t('users.deactivateDone', { name: fullName(user) }));
      onChanged();
    } catch (error) {
      tell(errorText(error, 'user'), 'error');
    } finally {
      busy.value = null;
    }
  };
  return html`<${Section}
    title=${t('account.users')}
    id="account-users"
    class="summary"
    actions=${html`
      ${manage && html`<${Button} type="button" variant="secondary" class="button button--secondary button--compact" onClick=${() => (adding.value = true)} aria-label=${t('account.addUser')}>${t('account.add')}</${Button}>`}
      ${linkButton('/admin/users', t('account.seeAll'), t('account.seeAllUsers'))}
    `}
  >
    <${Count} count=${section.count} label=${t('account.total')} />
    <ul class="summary__list">
      ${section.first.map(
        (user) => html`<li class="summary__row">
          <${Avatar} user=${user} />
          <div class="summary__main">
            <${Link} href=${`/admin/users/${user.id}`} class="summary__name">${fullName(user)}</${Link}>
            <span class="summary__meta">${roleName(user.role)}</span>
          </div>
          ${user.active && manage && user.id !== me.value?.user.id
            ? html`<${Button}
                type="button"
                variant="quiet"
                class="button button--quiet button--compact"
                busy=${busy.value === user.id}
                aria-label=${t('account.deactivateOne', { name: fullName(user) })}
                onClick=${() => deactivate(user)}
              >${t('users.deactivate')}</${Button}>`
            : html`<${StateBadge} user=${user} />`}
        </li>`,
      )}
    </ul>
    ${adding.value &&
    html`<${CreateUserDialog}
      onClose=${() => (adding.value = false)}
      onCreated=${() => {
        adding.value = false;
        onChanged();
      }}
    />`}
  </${Section}>`;
}

function ChannelsCard({ section, onChanged }) {
  const asking = useSignal(null);
  const manage = can('channels.manage');
  return html`<${Section}
    title=${t('account.channels')}
    id="account-channels"
    class="summary"
    actions=${linkButton('/admin/channels', t('account.seeAll'), t('account.seeAllChannels'))}
  >
    <${Count} count=${section.count} label=${t('account.total')} />
    ${section.first.length === 0
      ? html`<${EmptyState} title=${t('account.noChannels')} action=${manage && html`<${Link} href="/admin/channels" class="button button--primary button--compact">${t('account.connect')}</${Link}>`} />`
      : html`<ul class="summary__list">
          ${section.first.map(
            (channel) => html`<li class="summary__row">
              <${ChannelIcon} type=${channel.type} size="sm" />
              <div class="summary__main">
                <${Link} href=${`/admin/channels/${channel.id}`} class="summary__name">${channel.name}</${Link}>
                <span class="summary__meta">${channelName(channel.type)}</span>
              </div>
              ${channel.status === 'connected' && manage
                ? html`<button type="button" class="button button--quiet button--compact" aria-label=${t('account.disconnectOne', { name: channel.name })} onClick=${() => (asking.value = channel)}>
                    ${t('account.disconnect')}
                  </button>`
                : html`<${Badge} tone=${channel.status === 'connected' ? 'ok' : 'neutral'}>${t(`account.channel.${channel.status === 'connected' ? 'connected' : 'disconnected'}`)}</${Badge}>`}
            </li>`,
          )}
        </ul>`}
    ${asking.value &&
    html`<${ConfirmDialog}
      title=${t('account.disconnectTitle', { name: asking.value.name })}
      text=${t('account.disconnectText')}
      confirmLabel=${t('account.disconnect')}
      onConfirm=${async () => {
        await api('DELETE', `/v1/channels/${asking.value.id}`);
        tell(t('account.disconnected', { name: asking.value.name }));
        onChanged();
      }}
      onClose=${() => (asking.value = null)}
    />`}
  </${Section}>`;
}

function QuickRepliesCard({ section }) {
  return html`<${Section}
    title=${t('account.quickReplies')}
    id="account-quick-replies"
    class="summary"
    actions=${linkButton('/admin/quick-replies', t('account.seeAllF'), t('account.seeAllQuickReplies'))}
  >
    <${Count} count=${section.count} label=${t('account.total')} />
    ${section.first.length === 0
      ? html`<${EmptyState} title=${t('account.noQuickReplies')} />`
      : html`<ul class="summary__list">
          ${section.first.map(
            (reply) => html`<li class="summary__row">
              <span class="summary__slash" aria-hidden="true">/</span>
              <div class="summary__main">
                <${Link} href=${`/admin/quick-replies?edit=${encodeURIComponent(reply.id)}`} class="summary__name" aria-label=${t('account.editReply', { name: reply.name })}>${reply.name}</${Link}>
              </div>
            </li>`,
          )}
        </ul>`}
  </${Section}>`;
}

function DepartmentsCard({ count, onChanged }) {
  const { data, error, reload } = useLoad(() => api('GET', '/v1/departments?limit=5'), '');
  const editing = useSignal(null); // 'new' or a department
  const deleting = useSignal(null);
  const manage = can('departments.manage');
  const changed = () => {
    reload();
    onChanged();
  };
  return html`<${Section}
    title=${t('account.departments')}
    id="account-departments"
    class="summary"
    actions=${html`
      ${manage && html`<button type="button" class="button button--secondary button--compact" aria-label=${t('account.addDepartment')} onClick=${() => (editing.value = 'new')}>${t('account.add')}</button>`}
      ${linkButton('/admin/departments', t('account.seeAll'), t('account.seeAllDepartments'))}
    `}
  >
    <${Count} count=${count} label=${t('account.total')} />
    ${!data
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : data.items.length === 0
        ? html`<${EmptyState} title=${t('account.noDepartments')} />`
        : html`<ul class="summary__list">
            ${data.items.map(
              (department) => html`<li class="summary__row">
                <div class="summary__main">
                  ${manage
                    ? html`<button type="button" class="link-button summary__name" aria-label=${t('account.editDepartment', { name: department.name })} onClick=${() => (editing.value = department)}>${department.name}</button>`
                    : html`<span class="summary__name">${department.name}</span>`}
                  ${department.description && html`<span class="summary__meta">${department.description}</span>`}
                </div>
                ${manage &&
                html`<button type="button" class="button button--quiet button--compact" aria-label=${t('account.deleteDepartment', { name: department.name })} onClick=${() => (deleting.value = department)}>
                  ${t('account.delete')}
                </button>`}
              </li>`,
            )}
          </ul>`}
    ${editing.value &&
    html`<${DepartmentDialog}
      department=${editing.value === 'new' ? null : editing.value}
      onClose=${() => (editing.value = null)}
      onSaved=${() => {
        editing.value = null;
        changed();
      }}
    />`}
    ${deleting.value &&
    html`<${ConfirmDialog}
      title=${t('account.deleteDepartmentTitle', { name: deleting.value.name })}
      text=${t('account.deleteDepartmentText')}
      confirmLabel=${t('account.delete')}
      onConfirm=${async () => {
        await api('DELETE', `/v1/departments/${deleting.value.id}`);
        tell(t('departments.deleted', { name: deleting.value.name }));
        changed();
      }}
      onClose=${() => (deleting.value = null)}
    />`}
  </${Section}>`;
}

export function AccountScreen() {
  const { data, error, reload } = useLoad(() => api('GET', '/v1/account/summary'), '');
  return html`<${AdminPage} title=${t('account.title')} description=${t('account.description')}>
    ${!data
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : html`<div class="summary-grid">
          <${EstablishmentCard} establishment=${data.establishment} />
          <${UsersCard} section=${data.users} onChanged=${reload} />
          <${ChannelsCard} section=${data.channels} onChanged=${reload} />
          <${QuickRepliesCard} section=${data.quick_replies} />
          <${DepartmentsCard} count=${data.departments.count} onChanged=${reload} />
        </div>`}
  </${AdminPage}>`;
}
