// Usuarios (seed 002): the company's users with their role, state and invitation (pending,
// expired with "Reenviar invitación", accepted), a search, and "Crear usuario".
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Link } from '../../router.js';
import { can, me } from '../../session.js';
import { Button, Dialog, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { EmptyState, Loading } from '../kit.js';
import { allUsers } from './load.js';
import { Avatar, fullName, invitationState, InvitationBadge, roleName, StateBadge } from './people.js';
import { SaveButton, UserForm } from './user-form.js';
import './account.css';

/** Every user of the company (GET /v1/users, every page): {users, error, reload}. */
export function useUsers() {
  const state = useSignal({ users: null, error: null });
  const tick = useSignal(0);
  useEffect(() => {
    let live = true;
    allUsers().then(
      (users) => live && (state.value = { users, error: null }),
      (error) => live && (state.value = { users: state.value.users, error }),
    );
    return () => {
      live = false;
    };
  }, [tick.value]);
  return { ...state.value, reload: () => (tick.value += 1) };
}

/** POST /v1/users/{id}/resend-invitation, told in the header's notice. */
export async function resendInvitation(user) {
  try {
    const answer = await api('POST', `/v1/users/${user.id}/resend-invitation`);
    tell(answer.invitation_sent ? t('users.resent', { email: user.email }) : t('users.notSent'), answer.invitation_sent ? 'info' : 'error');
    return answer.user;
  } catch (error) {
    tell(errorText(error), 'error');
    return null;
  }
}

export function CreateUserDialog({ onClose, onCreated }) {
  const formId = useId('user-form');
  const busy = useSignal(false);
  return html`<${Dialog}
    title=${t('users.createTitle')}
    description=${t('users.createText')}
    onClose=${onClose}
    footer=${html`
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${SaveButton} formId=${formId} busy=${busy.value} busyLabel=${t('users.creating')}>${t('users.create')}</${SaveButton}>
    `}
  >
    <${UserForm}
      formId=${formId}
      busy=${busy}
      onDone=${(answer) => {
        tell(answer.invitation_sent ? t('users.invited', { email: answer.user.email }) : t('users.notSent'), answer.invitation_sent ? 'info' : 'error');
        onCreated(answer.user);
      }}
    />
  </${Dialog}>`;
}

function matches(user, words) {
  const text = `${fullName(user)} ${user.email} ${roleName(user.role)}`.toLocaleLowerCase();
  return words.every((word) => text.includes(word));
}

function UserRow({ user, onChanged }) {
  const busy = useSignal(false);
  const manage = can('users.manage');
  const invitation = invitationState(user);
  const resend = async () => {
    busy.value = true;
    const changed = await resendInvitation(user);
    busy.value = false;
    if (changed) onChanged();
  };
  const extra = user.permissions.length ? t('users.permissionsCount', { count: user.permissions.length }) : '';
  return html`<tr>
    <td>
      <div class="person">
        <${Avatar} user=${user} />
        <div class="person__text">
          <${Link} href=${`/admin/users/${user.id}`} class="person__name">${fullName(user)}</${Link}>
          ${user.id === me.value?.user.id && html` <span class="person__you">${t('users.you')}</span>`}
          <span class="person__email">${user.email}</span>
        </div>
      </div>
    </td>
    <td data-label=${t('users.role')}>
      <div>${roleName(user.role)}${extra && html`<span class="admin-table__muted people__perms">${extra}</span>`}</div>
    </td>
    <td data-label=${t('users.state')}><${StateBadge} user=${user} /></td>
    <td data-label=${t('users.invitation')}><${InvitationBadge} user=${user} /></td>
    <td class="admin-table__actions">
      ${manage &&
      invitation !== 'accepted' &&
      user.active &&
      html`<${Button} type="button" variant="secondary" class="button button--secondary button--compact" busy=${busy.value} onClick=${resend}
        aria-label=${t('users.resendFor', { name: fullName(user) })}>${t('users.resend')}</${Button}>`}
    </td>
  </tr>`;
}

export function UsersScreen() {
  const { users, error, reload } = useUsers();
  const query = useSignal('');
  const creating = useSignal(false);
  const searchId = useId('user-search');
  const words = query.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const shown = users ? users.filter((u) => matches(u, words)) : [];
  const actions =
    can('users.manage') &&
    html`<${Button} type="button" onClick=${() => (creating.value = true)}>${t('users.create')}</${Button}>`;
  return html`<${AdminPage} title=${t('users.title')} description=${t('users.description')} actions=${actions}>
    ${!users
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : html`<section class="admin-card" aria-labelledby="users-count">
          <div class="admin-card__head people__head">
            <h2 class="admin-card__title" id="users-count">${t('users.count', { count: users.length })}</h2>
            <div class="people__search">
              <label class="visually-hidden" for=${searchId}>${t('users.search')}</label>
              <input
                id=${searchId}
                type="search"
                class="field__input"
                placeholder=${t('users.searchPlaceholder')}
                value=${query.value}
                onInput=${(e) => (query.value = e.currentTarget.value)}
              />
            </div>
          </div>
          ${shown.length === 0
            ? html`<${EmptyState} title=${t('users.noMatch')} text=${t('users.noMatchText')} />`
            : html`<div class="admin-table-wrap">
                <table class="admin-table people-table">
                  <thead>
                    <tr>
                      <th scope="col">${t('users.name')}</th>
                      <th scope="col">${t('users.role')}</th>
                      <th scope="col">${t('users.state')}</th>
                      <th scope="col">${t('users.invitation')}</th>
                      <th scope="col"><span class="visually-hidden">${t('users.actions')}</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${shown.map((user) => html`<${UserRow} key=${user.id} user=${user} onChanged=${reload} />`)}
                  </tbody>
                </table>
              </div>`}
        </section>`}
    ${creating.value &&
    html`<${CreateUserDialog}
      onClose=${() => (creating.value = false)}
      onCreated=${() => {
        creating.value = false;
        reload();
      }}
    />`}
  </${AdminPage}>`;
}
