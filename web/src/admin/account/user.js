// One user (/admin/users/{id}): edit (PATCH), deactivate, reactivate, resend the
// invitation, delete, and who changed them and how (with history.read).
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { formatDateTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { navigate } from '../../router.js';
import { can, me } from '../../session.js';
import { Button, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { ConfirmDialog, EmptyState, Loading, Section } from '../kit.js';
import { useLoad } from '../kit.js';
import { fullName, invitationState, InvitationBadge, roleName, StateBadge } from './people.js';
import { UserForm } from './user-form.js';
import { resendInvitation, useUsers } from './users.js';
import './account.css';

// what an edit changed (deactivated and reactivated say it in their own name)
const FIELDS = ['first_name', 'last_name', 'email', 'role', 'permissions', 'departments'];

function shownValue(field, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (field === 'role') return roleName(value);
  if (field === 'active') return value ? t('users.state.active') : t('users.state.deactivated');
  if (field === 'permissions') return value.length ? value.map((p) => t(`users.permission.${p}`)).join(', ') : '—';
  if (Array.isArray(value)) return value.length ? String(value.length) : '—';
  return String(value);
}

function History({ userId, names }) {
  const { data, error, reload } = useLoad(() => api('GET', `/v1/users/${userId}/history?limit=50`), userId);
  if (!data) return html`<${Loading} error=${error} onRetry=${reload} />`;
  if (!data.items.length) return html`<${EmptyState} title=${t('users.history.empty')} />`;
  return html`<ol class="history">
    ${data.items.map((entry) => {
      const changed = FIELDS.filter((f) => entry.after && f in entry.after && entry.before && f in entry.before);
      const who = entry.actor_id ? names[entry.actor_id] ?? t('users.history.someone') : t('users.history.system');
      return html`<li class="history__item">
        <p class="history__line">
          <span class="history__what">${t(`users.history.${entry.action}`)}</span>
          <span class="history__who">${t('users.history.by', { name: who })}</span>
          <time class="history__when" datetime=${entry.at}>${formatDateTime(entry.at)}</time>
        </p>
        ${changed.length > 0 &&
        html`<ul class="history__changes">
          ${changed.map(
            (f) => html`<li>
              <span class="history__field">${t(`users.field.${f}`)}</span>: ${shownValue(f, entry.before[f])} → ${shownValue(f, entry.after[f])}
            </li>`,
          )}
        </ul>`}
      </li>`;
    })}
  </ol>`;
}

function Access({ user, onChanged }) {
  const busy = useSignal(null);
  const asking = useSignal(null);
  const self = user.id === me.value?.user.id;
  const invitation = invitationState(user);
  const act = async (what, call) => {
    busy.value = what;
    try {
      onChanged(await call());
      tell(t(`users.${what}Done`, { name: fullName(user) }));
    } catch (error) {
      tell(errorText(error, 'user'), 'error');
    } finally {
      busy.value = null;
    }
  };
  const resend = async () => {
    busy.value = 'resend';
    const changed = await resendInvitation(user);
    busy.value = null;
    if (changed) onChanged(changed);
  };
  const remove = async () => {
    await api('DELETE', `/v1/users/${user.id}`);
    tell(t('users.deleted', { name: fullName(user) }));
    navigate('/admin/users');
  };
  return html`<dl class="facts-list facts-list--columns">
      <div><dt>${t('users.state')}</dt><dd><${StateBadge} user=${user} /></dd></div>
      <div>
        <dt>${t('users.invitation')}</dt>
        <dd>
          <${InvitationBadge} user=${user} />
          ${invitation === 'pending' &&
          user.invitation_expires_at &&
          html` <span class="admin-table__muted">${t('users.expiresAt', { when: formatDateTime(user.invitation_expires_at) })}</span>`}
        </dd>
      </div>
      <div><dt>${t('users.createdAt')}</dt><dd>${formatDateTime(user.created_at)}</dd></div>
    </dl>
    ${can('users.manage') &&
    html`<div class="access__actions">
      ${invitation !== 'accepted' &&
      user.active &&
      html`<${Button} type="button" variant="secondary" busy=${busy.value === 'resend'} onClick=${resend}>${t('users.resend')}</${Button}>`}
      ${!self &&
      (user.active
        ? html`<${Button} type="button" variant="secondary" busy=${busy.value === 'deactivate'} onClick=${() => act('deactivate', () => api('POST', `/v1/users/${user.id}/deactivate`))}>${t('users.deactivate')}</${Button}>`
        : html`<${Button} type="button" variant="secondary" busy=${busy.value === 'reactivate'} onClick=${() => act('reactivate', () => api('POST', `/v1/users/${user.id}/reactivate`))}>${t('users.reactivate')}</${Button}>`)}
      ${!self && html`<${Button} type="button" variant="danger" onClick=${() => (asking.value = 'delete')}>${t('users.delete')}</${Button}>`}
      ${self && html`<p class="admin-table__muted">${t('users.selfNote')}</p>`}
    </div>`}
    ${asking.value === 'delete' &&
    html`<${ConfirmDialog}
      title=${t('users.deleteTitle', { name: fullName(user) })}
      text=${t('users.deleteText')}
      confirmLabel=${t('users.delete')}
      onConfirm=${remove}
      onClose=${() => (asking.value = null)}
    />`}`;
}

export function UserScreen({ id }) {
  const { data, error, reload } = useLoad(() => api('GET', `/v1/users/${id}`), id);
  const current = useSignal(null);
  const busy = useSignal(false);
  const formId = useId('user-edit');
  const { users } = useUsers();
  const user = current.value?.id === id ? current.value : data;
  const back = { href: '/admin/users', label: t('users.title') };
  if (!user) {
    return html`<${AdminPage} title=${t('users.one')} back=${back}><${Loading} error=${error} onRetry=${reload} /></${AdminPage}>`;
  }
  const names = Object.fromEntries((users ?? []).map((u) => [u.id, fullName(u)]));
  const changed = (next) => {
    current.value = next;
  };
  return html`<${AdminPage}
    title=${fullName(user)}
    description=${`${roleName(user.role)} · ${user.email}`}
    back=${back}
  >
    <div class="user-page">
      <${Section} title=${t('users.data')} id="user-data">
        ${can('users.manage')
          ? html`<${UserForm}
              key=${`${user.id}-${user.role}-${user.email}`}
              user=${user}
              formId=${formId}
              busy=${busy}
              onDone=${(next) => {
                changed(next);
                tell(t('admin.saved'));
              }}
              footer=${html`<div class="admin-form__actions">
                <${Button} type="submit" busy=${busy.value} busyLabel=${t('users.saving')}>${t('admin.save')}</${Button}>
              </div>`}
            />`
          : html`<dl class="facts-list">
              <div><dt>${t('users.role')}</dt><dd>${roleName(user.role)}</dd></div>
              <div><dt>${t('users.email')}</dt><dd>${user.email}</dd></div>
              <div>
                <dt>${t('users.permissions')}</dt>
                <dd>${shownValue('permissions', user.permissions)}</dd>
              </div>
            </dl>`}
      </${Section}>
      <${Section} title=${t('users.access')} id="user-access">
        <${Access} user=${user} onChanged=${changed} />
      </${Section}>
      ${can('history.read') &&
      html`<${Section} title=${t('users.history')} id="user-history">
        <${History} key=${JSON.stringify([user.active, user.role, user.email, user.first_name, user.last_name, user.permissions, user.status])} userId=${user.id} names=${names} />
      </${Section}>`}
    </div>
  </${AdminPage}>`;
}
