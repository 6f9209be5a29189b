// Grupos de agentes (seed 002): a name, a description and the agents who form the group,
// picked from the company's users; create, edit and delete.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Link } from '../../router.js';
import { can } from '../../session.js';
import { required } from '../../screens/checks.js';
import { Alert, Button, Dialog, Field, useId } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { ConfirmDialog, EmptyState, HistoryButton, Loading } from '../kit.js';
import { useLoad } from '../kit.js';
import { Avatar, fullName, roleName } from './people.js';
import { CheckList } from './user-form.js';
import { useUsers } from './users.js';
import './account.css';

/** The users who may work conversations in a group (not account contacts). */
const staff = (users) => users.filter((u) => u.role !== 'account_contact');

function GroupDialog({ group, users, onClose, onSaved }) {
  const formId = useId('group-form');
  const name = useSignal(group?.name ?? '');
  const description = useSignal(group?.description ?? '');
  const members = useSignal(group?.members ?? []);
  const filter = useSignal('');
  const busy = useSignal(false);
  const problem = useSignal(null);
  const errors = useSignal({});
  const filterId = useId('member-filter');
  const words = filter.value.trim().toLocaleLowerCase();
  const people = staff(users).filter((u) => u.active || members.value.includes(u.id));
  const shown = words ? people.filter((u) => `${fullName(u)} ${u.email}`.toLocaleLowerCase().includes(words)) : people;

  async function submit(event) {
    event.preventDefault();
    problem.value = null;
    const missing = required(name.value);
    if (missing) {
      errors.value = { name: missing };
      return;
    }
    errors.value = {};
    busy.value = true;
    const body = { name: name.value.trim(), description: description.value.trim(), members: members.value };
    try {
      const saved = group ? await api('PATCH', `/v1/agent-groups/${group.id}`, body) : await api('POST', '/v1/agent-groups', body);
      tell(t(group ? 'groups.saved' : 'groups.created', { name: saved.name }));
      onSaved(saved);
    } catch (error) {
      problem.value = errorText(error, 'group');
      errors.value = fieldErrors(error);
    } finally {
      busy.value = false;
    }
  }

  return html`<${Dialog}
    title=${group ? t('groups.editTitle') : t('groups.createTitle')}
    description=${t('groups.dialogText')}
    onClose=${onClose}
    footer=${html`
      ${group && can('history.read') && html`<span class="dialog-history"><${HistoryButton} path=${`/v1/agent-groups/${group.id}/history`} label=${group.name} /></span>`}
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${Button} type="submit" form=${formId} busy=${busy.value}>${group ? t('admin.save') : t('groups.create')}</${Button}>
    `}
  >
    <form id=${formId} class="user-form" onSubmit=${submit} noValidate>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <${Field} label=${t('groups.name')} value=${name.value} error=${errors.value.name} maxLength="100" autocomplete="off" onInput=${(v) => {
        name.value = v;
        if (errors.value.name) errors.value = { ...errors.value, name: undefined };
      }} />
      <${Field} label=${t('groups.descriptionField')} value=${description.value} error=${errors.value.description} required=${false} maxLength="500" autocomplete="off" onInput=${(v) => (description.value = v)} />
      ${people.length > 6 &&
      html`<div class="field">
        <label class="field__label" for=${filterId}>${t('groups.findMember')}</label>
        <input id=${filterId} type="search" class="field__input" value=${filter.value} onInput=${(e) => (filter.value = e.currentTarget.value)} />
      </div>`}
      <${CheckList}
        legend=${t('groups.members')}
        hint=${t('groups.membersHint', { count: members.value.length })}
        options=${shown.map((u) => [u.id, fullName(u), `${roleName(u.role)} · ${u.email}`])}
        chosen=${members.value}
        error=${errors.value.members}
        empty=${t('groups.noPeople')}
        onChange=${(value) => (members.value = value)}
      />
    </form>
  </${Dialog}>`;
}

function Members({ ids, byId }) {
  const people = ids.map((id) => byId[id]).filter(Boolean);
  if (!people.length) return html`<span class="admin-table__muted">${t('groups.noMembers')}</span>`;
  return html`<ul class="members" aria-label=${t('groups.membersCount', { count: people.length })}>
    ${people.slice(0, 8).map((u) => html`<li class="members__one"><${Avatar} user=${u} /><span>${fullName(u)}</span></li>`)}
    ${people.length > 8 && html`<li class="members__more">${t('groups.more', { count: people.length - 8 })}</li>`}
  </ul>`;
}

export function AgentGroupsScreen() {
  const { data, error, reload } = useLoad(() => api('GET', '/v1/agent-groups?limit=100'), '');
  const { users } = useUsers();
  const editing = useSignal(null); // 'new' or a group
  const deleting = useSignal(null);
  const byId = Object.fromEntries((users ?? []).map((u) => [u.id, u]));
  const manage = can('agent_groups.manage');
  const actions = manage && html`<${Button} type="button" onClick=${() => (editing.value = 'new')}>${t('groups.create')}</${Button}>`;
  const groups = data?.items ?? [];
  return html`<${AdminPage} title=${t('groups.title')} description=${t('groups.description')} actions=${actions}>
    ${!data
      ? html`<${Loading} error=${error} onRetry=${reload} />`
      : groups.length === 0
        ? html`<section class="admin-card"><${EmptyState}
            title=${t('groups.empty')}
            text=${t('groups.emptyText')}
            action=${manage && html`<${Button} type="button" onClick=${() => (editing.value = 'new')}>${t('groups.create')}</${Button}>`}
          /></section>`
        : html`<ul class="group-list">
            ${groups.map(
              (group) => html`<li class="admin-card group">
                <div class="group__text">
                  <h2 class="group__name">${group.name}</h2>
                  ${group.description && html`<p class="group__description">${group.description}</p>`}
                  <${Members} ids=${group.members} byId=${byId} />
                </div>
                ${manage &&
                html`<div class="group__actions">
                  <button type="button" class="button button--secondary button--compact" aria-label=${t('groups.editOne', { name: group.name })} onClick=${() => (editing.value = group)}>${t('groups.edit')}</button>
                  <button type="button" class="button button--quiet button--compact group__delete" aria-label=${t('groups.deleteOne', { name: group.name })} onClick=${() => (deleting.value = group)}>${t('groups.delete')}</button>
                </div>`}
              </li>`,
            )}
          </ul>`}
    ${users === null && data && html`<p class="admin-table__muted">${t('admin.loading')}</p>`}
    ${editing.value &&
    html`<${GroupDialog}
      group=${editing.value === 'new' ? null : editing.value}
      users=${users ?? []}
      onClose=${() => (editing.value = null)}
      onSaved=${() => {
        editing.value = null;
        reload();
      }}
    />`}
    ${deleting.value &&
    html`<${ConfirmDialog}
      title=${t('groups.deleteTitle', { name: deleting.value.name })}
      text=${t('groups.deleteText')}
      confirmLabel=${t('groups.delete')}
      onConfirm=${async () => {
        await api('DELETE', `/v1/agent-groups/${deleting.value.id}`);
        tell(t('groups.deleted', { name: deleting.value.name }));
        reload();
      }}
      onClose=${() => (deleting.value = null)}
    />`}
    <p class="admin-foot-link"><${Link} href="/admin/users">${t('groups.toUsers')}</${Link}></p>
  </${AdminPage}>`;
}
