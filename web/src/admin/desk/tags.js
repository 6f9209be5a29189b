// "Etiquetas" (SPEC §4): the company's list of ticket labels, each with an optional
// colour; agents put them on tickets and board columns filter by them.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Field } from '../../ui.js';
import { ConfirmDialog, EmptyState, Loading, Section } from '../kit.js';
import { AdminPage } from '../layout.js';
import { AddButton, deleted, FormDialog, RowButton, SearchBox, upsert, useAll, useSave } from './common.js';

/** The colours offered (the API takes any #RRGGBB). */
const COLORS = ['#0e746f', '#2563eb', '#7c3aed', '#db2777', '#dc2626', '#ea580c', '#ca8a04', '#16a34a', '#475569'];
const byName = (tag) => tag.name;

export function TagChip({ tag }) {
  return html`<span class="dk-tag" style=${tag.color ? `--tag: ${tag.color}` : undefined}>
    <span class="dk-tag__dot" aria-hidden="true"></span>${tag.name}
  </span>`;
}

function TagEditor({ tag, onClose, onSaved }) {
  const name = useSignal(tag?.name || '');
  const color = useSignal(tag?.color || '');
  const save = useSave();

  async function submit() {
    if (!name.value.trim()) return save.fail({ name: t('field.required') });
    const saved = await save.run(() =>
      tag
        ? api('PATCH', `/v1/tags/${tag.id}`, { name: name.value.trim(), color: color.value })
        : api('POST', '/v1/tags', { name: name.value.trim(), color: color.value || null }),
    );
    if (saved) onSaved(saved);
    return saved;
  }

  return html`<${FormDialog}
    history=${tag && { path: `/v1/tags/${tag.id}/history`, label: tag.name }}
    title=${tag ? t('desk.tag.editTitle', { name: tag.name }) : t('desk.tag.newTitle')}
    description=${tag ? t('desk.tag.renameText') : null}
    save=${save}
    saveLabel=${tag ? t('admin.save') : t('desk.tag.create')}
    onSubmit=${submit}
    onClose=${onClose}
  >
    <${Field}
      label=${t('desk.tag.name')}
      value=${name.value}
      error=${save.errors.name}
      maxLength="200"
      placeholder=${t('desk.tag.namePlaceholder')}
      onInput=${(v) => {
        name.value = v;
        save.clear('name');
      }}
    />
    <fieldset class="dk-colors">
      <legend class="field__label">${t('desk.tag.color')}</legend>
      <div class="dk-colors__list">
        ${['', ...COLORS].map(
          (value) => html`<label class=${`dk-swatch${color.value === value ? ' dk-swatch--on' : ''}`} title=${value ? t('desk.tag.colorValue', { value }) : t('desk.tag.noColor')}>
            <input type="radio" name="tag-color" class="dk-swatch__input" checked=${color.value === value} onChange=${() => (color.value = value)} aria-label=${value ? t('desk.tag.colorValue', { value }) : t('desk.tag.noColor')} />
            <span class=${`dk-swatch__fill${value ? '' : ' dk-swatch__fill--none'}`} style=${value ? `background: ${value}` : undefined} aria-hidden="true"></span>
          </label>`,
        )}
      </div>
    </fieldset>
    <div class="dk-preview dk-preview--inline">
      <p class="dk-preview__label">${t('desk.tag.looks')}</p>
      <${TagChip} tag=${{ name: name.value.trim() || t('desk.tag.namePlaceholder'), color: color.value }} />
    </div>
  </${FormDialog}>`;
}

export function TagsScreen() {
  const list = useAll(
    () => api('GET', '/v1/tags?limit=100'),
    (cursor) => api('GET', `/v1/tags?limit=100&cursor=${encodeURIComponent(cursor)}`),
  );
  const query = useSignal('');
  const editing = useSignal(null);
  const deleting = useSignal(null);
  const add = html`<${AddButton} label=${t('desk.tag.new')} onClick=${() => (editing.value = 'new')} />`;
  const needle = query.value.trim().toLowerCase();
  const items = [...(list.items || [])].sort((a, b) => a.name.localeCompare(b.name));
  const shown = items.filter((tag) => !needle || tag.name.toLowerCase().includes(needle));

  let body;
  if (list.items === null) body = html`<${Loading} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) body = html`<${EmptyState} title=${t('desk.tag.empty')} text=${t('desk.tag.emptyText')} action=${add} />`;
  else {
    body = html`<div class="dk-toolbar">
        <${SearchBox} label=${t('desk.tag.search')} value=${query.value} onInput=${(v) => (query.value = v)} />
        <span class="dk-count" role="status">${t('desk.tag.count', { n: shown.length })}</span>
      </div>
      ${shown.length === 0
        ? html`<${EmptyState} title=${t('desk.noMatch')} />`
        : html`<ul class="dk-taglist" aria-label=${t('desk.tag.title')}>
            ${shown.map(
              (tag) => html`<li class="dk-taglist__item" key=${tag.id}>
                <${TagChip} tag=${tag} />
                <span class="dk-taglist__actions">
                  <${RowButton} icon="edit" label=${t('desk.tag.renameOne', { name: tag.name })} onClick=${() => (editing.value = tag)} />
                  <${RowButton} icon="trash" danger label=${t('desk.tag.deleteOne', { name: tag.name })} onClick=${() => (deleting.value = tag)} />
                </span>
              </li>`,
            )}
          </ul>`}`;
  }

  return html`<${AdminPage} title=${t('desk.tag.title')} description=${t('desk.tag.description')} actions=${items.length ? add : null}>
    <${Section} title=${t('desk.tag.listTitle')} id="tags">${body}</${Section}>
    ${editing.value &&
    html`<${TagEditor}
      tag=${editing.value === 'new' ? null : editing.value}
      onClose=${() => (editing.value = null)}
      onSaved=${(saved) => {
        list.set(upsert(list.items, saved, byName));
        tell(editing.value === 'new' ? t('desk.tag.created', { name: saved.name }) : t('admin.saved'));
        editing.value = null;
      }}
    />`}
    ${deleting.value &&
    html`<${ConfirmDialog}
      title=${t('desk.tag.deleteTitle', { name: deleting.value.name })}
      text=${t('desk.tag.deleteText')}
      confirmLabel=${t('desk.delete')}
      onConfirm=${async () => {
        const gone = deleting.value;
        await deleted(() => api('DELETE', `/v1/tags/${gone.id}`));
        list.set(list.items.filter((tag) => tag.id !== gone.id));
        tell(t('desk.tag.deleted', { name: gone.name }));
      }}
      onClose=${() => (deleting.value = null)}
    />`}
  </${AdminPage}>`;
}
