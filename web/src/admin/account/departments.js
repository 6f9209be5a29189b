// A department's dialog (name and description), used inline on the account page.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { required } from '../../screens/checks.js';
import { Alert, Button, Dialog, Field, useId } from '../../ui.js';

/** ``department`` null: a new one (POST /v1/departments); else an edit (PATCH). */
export function DepartmentDialog({ department, onClose, onSaved }) {
  const formId = useId('department-form');
  const name = useSignal(department?.name ?? '');
  const description = useSignal(department?.description ?? '');
  const busy = useSignal(false);
  const problem = useSignal(null);
  const errors = useSignal({});

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
    const body = { name: name.value.trim(), description: description.value.trim() };
    try {
      const saved = department
        ? await api('PATCH', `/v1/departments/${department.id}`, body)
        : await api('POST', '/v1/departments', body);
      tell(t(department ? 'departments.saved' : 'departments.created', { name: saved.name }));
      onSaved(saved);
    } catch (error) {
      problem.value = errorText(error, 'department');
      errors.value = fieldErrors(error);
    } finally {
      busy.value = false;
    }
  }

  return html`<${Dialog}
    title=${department ? t('departments.editTitle') : t('departments.createTitle')}
    size="sm"
    onClose=${onClose}
    footer=${html`
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${Button} type="submit" form=${formId} busy=${busy.value}>${department ? t('admin.save') : t('departments.add')}</${Button}>
    `}
  >
    <form id=${formId} class="user-form" onSubmit=${submit} noValidate>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <${Field} label=${t('departments.name')} value=${name.value} error=${errors.value.name} maxLength="100" autocomplete="off" onInput=${(v) => {
        name.value = v;
        if (errors.value.name) errors.value = { ...errors.value, name: undefined };
      }} />
      <${Field} label=${t('departments.descriptionField')} value=${description.value} error=${errors.value.description} required=${false} maxLength="500" autocomplete="off" onInput=${(v) => (description.value = v)} />
    </form>
  </${Dialog}>`;
}
