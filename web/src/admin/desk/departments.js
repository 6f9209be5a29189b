// "Departamentos" (seed 000): the company's departments, a name and a description;
// tickets and board columns refer to them.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Field } from '../../ui.js';
import { ConfirmDialog, EmptyState, Loading, Section } from '../kit.js';
import { AdminPage } from '../layout.js';
import { AddButton, deleted, FormDialog, RowButton, TextArea, upsert, useAll, useSave } from './common.js';

const byName = (d) => d.name;

function DepartmentEditor({ department, onClose, onSaved }) {
  const name = useSignal(department?.name || '');
  const description = useSignal(department?.description || '');
  const save = useSave();

  async function submit() {
    if (!name.value.trim()) return save.fail({ name: t('field.required') });
    const body = { name: name.value.trim(), description: description.value.trim() };
    const saved = await save.run(() =>
      department ? api('PATCH', `/v1/departments/${department.id}`, body) : api('POST', '/v1/departments', body),
    );
    if (saved) onSaved(saved);
    return saved;
  }

  return html`<${FormDialog}
    history=${department && { path: `/v1/departments/${department.id}/history`, label: department.name }}
    title=${department ? t('desk.dep.editTitle', { name: department.name }) : t('desk.dep.newTitle')}
    save=${save}
    saveLabel=${department ? t('admin.save') : t('desk.dep.create')}
    onSubmit=${submit}
    onClose=${onClose}
  >
    <${Field}
      label=${t('desk.dep.name')}
      value=${name.value}
      error=${save.errors.name}
      maxLength="100"
      placeholder=${t('desk.dep.namePlaceholder')}
      onInput=${(v) => {
        name.value = v;
        save.clear('name');
      }}
    />
    <${TextArea}
      label=${t('desk.dep.descriptionOptional')}
      value=${description.value}
      error=${save.errors.description}
      rows="3"
      maxLength="500"
      hint=${t('desk.dep.descriptionHint')}
      onInput=${(v) => (description.value = v)}
    />
  </${FormDialog}>`;
}

export function DepartmentsScreen() {
  const list = useAll(
    () => api('GET', '/v1/departments?limit=100'),
    (cursor) => api('GET', `/v1/departments?limit=100&cursor=${encodeURIComponent(cursor)}`),
  );
  const editing = useSignal(null);
  const deleting = useSignal(null);
  const add = html`<${AddButton} label=${t('desk.dep.new')} onClick=${() => (editing.value = 'new')} />`;
  const items = [...(list.items || [])].sort((a, b) => a.name.localeCompare(b.name));

  let body;
  if (list.items === null) body = html`<${Loading} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) body = html`<${EmptyState} title=${t('desk.dep.empty')} text=${t('desk.dep.emptyText')} action=${add} />`;
  else {
    body = html`<div class="admin-table-wrap"><table class="admin-table dk-table">
      <thead><tr>
        <th scope="col">${t('desk.dep.name')}</th>
        <th scope="col">${t('desk.dep.description')}</th>
        <th scope="col"><span class="visually-hidden">${t('desk.actions')}</span></th>
      </tr></thead>
      <tbody>
        ${items.map(
          (d) => html`<tr key=${d.id}>
            <td><button type="button" class="dk-link" onClick=${() => (editing.value = d)}>${d.name}</button></td>
            <td class="dk-table__text">${d.description ? html`<span class="dk-clamp">${d.description}</span>` : html`<span class="admin-table__muted">—</span>`}</td>
            <td class="admin-table__actions">
              <${RowButton} icon="edit" label=${t('desk.dep.editOne', { name: d.name })} onClick=${() => (editing.value = d)} />
              <${RowButton} icon="trash" danger label=${t('desk.dep.deleteOne', { name: d.name })} onClick=${() => (deleting.value = d)} />
            </td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  return html`<${AdminPage} title=${t('desk.dep.title')} description=${t('desk.dep.pageText')} actions=${items.length ? add : null}>
    <${Section} title=${t('desk.dep.listTitle', { n: items.length })} id="departments">${body}</${Section}>
    ${editing.value &&
    html`<${DepartmentEditor}
      department=${editing.value === 'new' ? null : editing.value}
      onClose=${() => (editing.value = null)}
      onSaved=${(saved) => {
        list.set(upsert(list.items, saved, byName));
        tell(editing.value === 'new' ? t('desk.dep.created', { name: saved.name }) : t('admin.saved'));
        editing.value = null;
      }}
    />`}
    ${deleting.value &&
    html`<${ConfirmDialog}
      title=${t('desk.dep.deleteTitle', { name: deleting.value.name })}
      text=${t('desk.dep.deleteText')}
      confirmLabel=${t('desk.delete')}
      onConfirm=${async () => {
        const gone = deleting.value;
        await deleted(() => api('DELETE', `/v1/departments/${gone.id}`));
        list.set(list.items.filter((d) => d.id !== gone.id));
        tell(t('desk.dep.deleted', { name: gone.name }));
      }}
      onClose=${() => (deleting.value = null)}
    />`}
  </${AdminPage}>`;
}
