// "Campos personalizados" (SPEC §4): the extra data an admin defines for clients and for
// tickets: a label, a key (fixed once created: stored values are kept under it), a type
// (text, number, date, or a list of options), and whether it is required.
import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import { api } from '../../api.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Field, Select, useId } from '../../ui.js';
import { Badge, ConfirmDialog, EmptyState, Loading, Section } from '../kit.js';
import { AdminPage } from '../layout.js';
import { AddButton, deleted, DeskIcon, FormDialog, RowButton, upsert, useAll, useSave } from './common.js';

const TYPES = ['text', 'number', 'date', 'select'];
const APPLIES = ['client', 'ticket'];
const byLabel = (f) => f.label;

/** A key from a label: "Número de pedido" -> "numero_de_pedido" (the API's pattern). */
export function keyOf(label) {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return key;
}

function OptionsEditor({ options, onChange, error }) {
  const id = useId('options');
  const list = useRef(null);
  const focusLast = () => requestAnimationFrame(() => [...(list.current?.querySelectorAll('input') || [])].pop()?.focus());
  const set = (i, value) => onChange(options.map((o, j) => (j === i ? value : o)));
  const move = (i, step) => {
    const next = [...options];
    [next[i], next[i + step]] = [next[i + step], next[i]];
    onChange(next);
  };
  return html`<fieldset class=${`dk-options${error ? ' field--invalid' : ''}`} aria-describedby=${error ? `${id}-error` : undefined}>
    <legend class="field__label">${t('desk.cf.options')}</legend>
    <ol class="dk-options__list" ref=${list}>
      ${options.map(
        (option, i) => html`<li class="dk-options__item">
          <span class="dk-options__n" aria-hidden="true">${i + 1}</span>
          <input
            class="field__input"
            value=${option}
            maxLength="100"
            aria-label=${t('desk.cf.optionN', { n: i + 1 })}
            onInput=${(e) => set(i, e.currentTarget.value)}
            onKeyDown=${(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                onChange([...options, '']);
                focusLast();
              }
            }}
          />
          <${RowButton} icon="up" label=${t('desk.cf.optionUp', { n: i + 1 })} onClick=${() => i > 0 && move(i, -1)} />
          <${RowButton} icon="down" label=${t('desk.cf.optionDown', { n: i + 1 })} onClick=${() => i < options.length - 1 && move(i, 1)} />
          <${RowButton} icon="close" danger label=${t('desk.cf.optionRemove', { n: i + 1 })} onClick=${() => onChange(options.filter((_, j) => j !== i))} />
        </li>`,
      )}
    </ol>
    <button type="button" class="dk-chip dk-options__add" onClick=${() => {
      onChange([...options, '']);
      focusLast();
    }}><${DeskIcon} name="plus" />${t('desk.cf.optionAdd')}</button>
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </fieldset>`;
}

function FieldEditor({ field, appliesTo, onClose, onSaved }) {
  const label = useSignal(field?.label || '');
  const key = useSignal(field?.key || '');
  const keyTouched = useSignal(Boolean(field));
  const type = useSignal(field?.type || 'text');
  const required = useSignal(field?.required || false);
  const options = useSignal(field?.options?.length ? field.options : ['', '']);
  const save = useSave();
  const requiredId = useId('required');

  async function submit() {
    const chosen = options.value.map((o) => o.trim()).filter(Boolean);
    const missing = {};
    if (!label.value.trim()) missing.label = t('field.required');
    if (!key.value) missing.key = t('field.required');
    else if (!/^[a-z][a-z0-9_]{0,39}$/.test(key.value)) missing.key = t('desk.cf.keyRule');
    if (type.value === 'select' && !chosen.length) missing.options = t('desk.cf.optionsNeeded');
    else if (new Set(chosen.map((o) => o.toLowerCase())).size !== chosen.length) missing.options = t('desk.cf.optionsDistinct');
    if (Object.keys(missing).length) return save.fail(missing);
    const body = {
      label: label.value.trim(),
      type: type.value,
      required: required.value,
      options: type.value === 'select' ? chosen : [],
    };
    const saved = await save.run(() =>
      field
        ? api('PATCH', `/v1/custom-fields/${field.id}`, body)
        : api('POST', '/v1/custom-fields', { applies_to: appliesTo, key: key.value, ...body }),
    );
    if (saved) onSaved(saved);
    return saved;
  }

  const where = t(`desk.cf.for.${appliesTo}`);
  return html`<${FormDialog}
    history=${field && { path: `/v1/custom-fields/${field.id}/history`, label: field.label }}
    title=${field ? t('desk.cf.editTitle', { name: field.label }) : t('desk.cf.newTitle', { where })}
    description=${t(`desk.cf.dialogText.${appliesTo}`)}
    save=${save}
    saveLabel=${field ? t('admin.save') : t('desk.cf.create')}
    onSubmit=${submit}
    onClose=${onClose}
  >
    <${Field}
      label=${t('desk.cf.label')}
      value=${label.value}
      error=${save.errors.label}
      maxLength="100"
      placeholder=${t(`desk.cf.labelPlaceholder.${appliesTo}`)}
      onInput=${(v) => {
        label.value = v;
        save.clear('label');
        if (!keyTouched.value) key.value = keyOf(v);
      }}
    />
    <${Field}
      label=${t('desk.cf.key')}
      value=${key.value}
      error=${save.errors.key}
      hint=${field ? t('desk.cf.keyFixed') : t('desk.cf.keyHint')}
      maxLength="40"
      readOnly=${Boolean(field)}
      spellcheck="false"
      autocomplete="off"
      class="field__input dk-mono"
      onInput=${(v) => {
        key.value = v;
        keyTouched.value = true;
        save.clear('key');
      }}
    />
    <${Select}
      label=${t('desk.cf.type')}
      value=${type.value}
      onChange=${(v) => (type.value = v)}
      options=${TYPES.map((k) => [k, t(`desk.cf.type.${k}`)])}
    />
    ${type.value === 'select' &&
    html`<${OptionsEditor}
      options=${options.value}
      error=${save.errors.options}
      onChange=${(v) => {
        options.value = v;
        save.clear('options');
      }}
    />`}
    <label class="dk-switch" for=${requiredId}>
      <input id=${requiredId} type="checkbox" checked=${required.value} onChange=${(e) => (required.value = e.currentTarget.checked)} />
      <span class="dk-switch__text">
        <span class="dk-switch__title">${t('desk.cf.required')}</span>
        <span class="dk-switch__hint">${t(`desk.cf.requiredHint.${appliesTo}`)}</span>
      </span>
    </label>
  </${FormDialog}>`;
}

function FieldTable({ appliesTo, fields, onEdit, onDelete }) {
  if (!fields.length) {
    return html`<${EmptyState}
      title=${t(`desk.cf.empty.${appliesTo}`)}
      text=${t(`desk.cf.emptyText.${appliesTo}`)}
    />`;
  }
  return html`<div class="admin-table-wrap"><table class="admin-table dk-table">
    <thead><tr>
      <th scope="col">${t('desk.cf.label')}</th>
      <th scope="col" class="dk-wide">${t('desk.cf.key')}</th>
      <th scope="col">${t('desk.cf.type')}</th>
      <th scope="col"><span class="visually-hidden">${t('desk.actions')}</span></th>
    </tr></thead>
    <tbody>
      ${fields.map(
        (f) => html`<tr key=${f.id}>
          <td>
            <button type="button" class="dk-link" onClick=${() => onEdit(f)}>${f.label}</button>
            ${f.required && html` <${Badge} tone="info">${t('desk.cf.requiredBadge')}</${Badge}>`}
          </td>
          <td class="dk-wide"><code class="dk-code">${f.key}</code></td>
          <td>
            ${t(`desk.cf.type.${f.type}`)}
            ${f.type === 'select' && html`<span class="dk-options-preview">${f.options.join(' · ')}</span>`}
          </td>
          <td class="admin-table__actions">
            <${RowButton} icon="edit" label=${t('desk.cf.editOne', { name: f.label })} onClick=${() => onEdit(f)} />
            <${RowButton} icon="trash" danger label=${t('desk.cf.deleteOne', { name: f.label })} onClick=${() => onDelete(f)} />
          </td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

export function CustomFieldsScreen() {
  const list = useAll(
    () => api('GET', '/v1/custom-fields?limit=100'),
    (cursor) => api('GET', `/v1/custom-fields?limit=100&cursor=${encodeURIComponent(cursor)}`),
  );
  const editing = useSignal(null); // {appliesTo, field}
  const deleting = useSignal(null);
  const all = [...(list.items || [])].sort((a, b) => a.label.localeCompare(b.label));

  return html`<${AdminPage} title=${t('desk.cf.title')} description=${t('desk.cf.description')}>
    ${list.items === null
      ? html`<${Loading} error=${list.error} onRetry=${list.reload} />`
      : APPLIES.map(
          (appliesTo) => html`<${Section}
            id=${`fields-${appliesTo}`}
            class="dk-card"
            title=${t(`desk.cf.section.${appliesTo}`)}
            actions=${html`<${AddButton}
              label=${t(`desk.cf.new.${appliesTo}`)}
              variant="secondary"
              onClick=${() => (editing.value = { appliesTo, field: null })}
            />`}
          >
            <${FieldTable}
              appliesTo=${appliesTo}
              fields=${all.filter((f) => f.applies_to === appliesTo)}
              onEdit=${(field) => (editing.value = { appliesTo, field })}
              onDelete=${(field) => (deleting.value = field)}
            />
          </${Section}>`,
        )}
    ${editing.value &&
    html`<${FieldEditor}
      field=${editing.value.field}
      appliesTo=${editing.value.appliesTo}
      onClose=${() => (editing.value = null)}
      onSaved=${(saved) => {
        list.set(upsert(list.items, saved, byLabel));
        tell(editing.value.field ? t('admin.saved') : t('desk.cf.created', { name: saved.label }));
        editing.value = null;
      }}
    />`}
    ${deleting.value &&
    html`<${ConfirmDialog}
      title=${t('desk.cf.deleteTitle', { name: deleting.value.label })}
      text=${t('desk.cf.deleteText')}
      confirmLabel=${t('desk.delete')}
      onConfirm=${async () => {
        const gone = deleting.value;
        await deleted(() => api('DELETE', `/v1/custom-fields/${gone.id}`));
        list.set(list.items.filter((f) => f.id !== gone.id));
        tell(t('desk.cf.deleted', { name: gone.label }));
      }}
      onClose=${() => (deleting.value = null)}
    />`}
  </${AdminPage}>`;
}
