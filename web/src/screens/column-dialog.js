// "Nueva columna" (seed 003, steps 2–3): a name, tickets or messages, and every filter a
// column takes (ColumnFilters of /v1/openapi.json), with the account's own channels,
// users, departments, groups and tags to choose from.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { ChannelIcon, channelName, CHANNEL_TYPES } from '../channels.js';
import { errorText, fieldErrors } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Alert, Button, Dialog, Field, Select, useId } from '../ui.js';
import { can } from '../session.js';

const STATUSES = ['open', 'pending', 'closed', 'escalated', 'merged'];
const SENTIMENTS = ['happy', 'neutral', 'angry'];

/** The first 100 of a list the dialog offers (an empty list when the role may not read it). */
async function firstPage(allowed, load) {
  if (!allowed) return [];
  try {
    return (await load()).items;
  } catch {
    return [];
  }
}

function Checks({ legend, options, chosen, onChange, hint, empty }) {
  const id = useId('checks');
  const flip = (key) => onChange(chosen.includes(key) ? chosen.filter((k) => k !== key) : [...chosen, key]);
  return html`<fieldset class="checks" aria-describedby=${hint ? `${id}-hint` : undefined}>
    <legend class="field__label">${legend}</legend>
    ${hint && html`<p class="field__hint" id=${`${id}-hint`}>${hint}</p>`}
    ${options.length === 0
      ? html`<p class="checks__empty">${empty}</p>`
      : html`<div class="checks__list">
          ${options.map(
            ([key, text, icon]) => html`<label class=${`check${chosen.includes(key) ? ' check--on' : ''}`}>
              <input type="checkbox" checked=${chosen.includes(key)} onChange=${() => flip(key)} />
              ${icon}
              <span>${text}</span>
            </label>`,
          )}
        </div>`}
  </fieldset>`;
}

export function ColumnDialog({ onClose, onCreated }) {
  const formId = useId('column-form');
  const name = useSignal('');
  const kind = useSignal('tickets');
  const types = useSignal([]);
  const accounts = useSignal([]);
  const statuses = useSignal(['open', 'pending']);
  const assignee = useSignal('any');
  const department = useSignal('');
  const group = useSignal('');
  const tags = useSignal([]);
  const important = useSignal('');
  const sentimentStart = useSignal('');
  const sentimentEnd = useSignal('');
  const breached = useSignal('');
  const options = useSignal(null);
  const busy = useSignal(false);
  const problem = useSignal(null);
  const errors = useSignal({});

  useEffect(() => {
    Promise.all([
      firstPage(can('channels.read'), () => api('GET', '/v1/channels?limit=100')),
      firstPage(can('users.read'), () => api('GET', '/v1/users?limit=100')),
      firstPage(can('departments.read'), () => api('GET', '/v1/departments?limit=100')),
      firstPage(can('agent_groups.read'), () => api('GET', '/v1/agent-groups?limit=100')),
      firstPage(can('tags.read'), () => api('GET', '/v1/tags?limit=100')),
    ]).then(([channels, users, departments, groups, tagList]) => {
      options.value = { channels, users: users.filter((u) => u.active), departments, groups, tags: tagList };
    });
  }, []);

  const o = options.value || { channels: [], users: [], departments: [], groups: [], tags: [] };
  const shownChannels = types.value.length ? o.channels.filter((c) => types.value.includes(c.type)) : o.channels;
  const yesNo = (yes, no) => [
    ['', t('filter.anyValue')],
    ['true', yes],
    ['false', no],
  ];
  const sentimentOptions = [['', t('filter.anyValue')], ...SENTIMENTS.map((s) => [s, t(`sentiment.${s}`)])];
  const flag = (value) => (value === '' ? null : value === 'true');

  async function submit(event) {
    event.preventDefault();
    problem.value = null;
    errors.value = {};
    if (!name.value.trim()) {
      errors.value = { name: t('field.required') };
      return;
    }
    if (!statuses.value.length) {
      errors.value = { statuses: t('filter.statusesRequired') };
      return;
    }
    const shown = new Set(shownChannels.map((c) => c.id));
    const filters = { statuses: statuses.value, assignee: assignee.value };
    if (types.value.length) filters.channel_types = types.value;
    const ids = accounts.value.filter((id) => shown.has(id));
    if (ids.length) filters.channel_ids = ids;
    if (department.value) filters.department_id = department.value;
    if (group.value) filters.group_id = group.value;
    if (tags.value.length) filters.tags = tags.value;
    if (important.value) filters.important = flag(important.value);
    if (breached.value) filters.sla_breached = flag(breached.value);
    if (sentimentStart.value || sentimentEnd.value) {
      filters.sentiment = { start: sentimentStart.value || null, end: sentimentEnd.value || null };
    }
    busy.value = true;
    try {
      const column = await api('POST', '/v1/columns', { name: name.value.trim(), kind: kind.value, filters });
      onCreated(column);
    } catch (error) {
      problem.value = errorText(error);
      errors.value = fieldErrors(error);
    } finally {
      busy.value = false;
    }
  }

  return html`<${Dialog}
    title=${t('column.newTitle')}
    description=${t('column.newText')}
    onClose=${onClose}
    size="lg"
    footer=${html`
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${Button} type="submit" form=${formId} busy=${busy.value} busyLabel=${t('column.adding')}>${t('column.add')}</${Button}>
    `}
  >
    <form id=${formId} class="column-form" onSubmit=${submit} noValidate>
      ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
      <div class="column-form__row">
        <${Field} label=${t('column.name')} value=${name.value} error=${errors.value.name} maxLength="60" onInput=${(v) => {
          name.value = v;
          if (errors.value.name) errors.value = { ...errors.value, name: undefined };
        }} placeholder=${t('column.namePlaceholder')} />
        <fieldset class="segmented">
          <legend class="field__label">${t('column.kind')}</legend>
          <div class="segmented__options">
            ${['tickets', 'messages'].map(
              (key) => html`<label class=${`segmented__option${kind.value === key ? ' segmented__option--on' : ''}`}>
                <input type="radio" name="kind" value=${key} checked=${kind.value === key} onChange=${() => (kind.value = key)} />
                ${t(`column.kind.${key}`)}
              </label>`,
            )}
          </div>
        </fieldset>
      </div>
      <${Checks}
        legend=${t('filter.channelTypes')}
        hint=${t('filter.noneMeansAll')}
        options=${CHANNEL_TYPES.map((type) => [type, channelName(type), html`<${ChannelIcon} type=${type} size="xs" decorative />`])}
        chosen=${types.value}
        onChange=${(v) => (types.value = v)}
      />
      <${Checks}
        legend=${t('filter.accounts')}
        options=${shownChannels.map((c) => [c.id, c.name, html`<${ChannelIcon} type=${c.type} size="xs" decorative />`])}
        chosen=${accounts.value}
        onChange=${(v) => (accounts.value = v)}
        empty=${options.value ? t('filter.noAccounts') : t('app.loading')}
      />
      <${Checks}
        legend=${t('filter.statuses')}
        hint=${errors.value.statuses}
        options=${STATUSES.map((s) => [s, t(`status.${s}`)])}
        chosen=${statuses.value}
        onChange=${(v) => {
          statuses.value = v;
          if (v.length) errors.value = { ...errors.value, statuses: undefined };
        }}
      />
      <div class="column-form__grid">
        <${Select}
          label=${t('filter.assignee')}
          value=${assignee.value}
          onChange=${(v) => (assignee.value = v)}
          options=${[
            ['any', t('assignee.any')],
            ['me', t('assignee.me')],
            ['unassigned', t('assignee.unassigned')],
            ...o.users.map((u) => [u.id, `${u.first_name} ${u.last_name}`]),
          ]}
        />
        <${Select}
          label=${t('filter.department')}
          value=${department.value}
          onChange=${(v) => (department.value = v)}
          options=${[['', t('filter.anyValue')], ...o.departments.map((d) => [d.id, d.name])]}
        />
        <${Select}
          label=${t('filter.group')}
          value=${group.value}
          onChange=${(v) => (group.value = v)}
          options=${[['', t('filter.anyValue')], ...o.groups.map((g) => [g.id, g.name])]}
        />
        <${Select} label=${t('filter.important')} value=${important.value} onChange=${(v) => (important.value = v)} options=${yesNo(t('filter.onlyImportant'), t('filter.notImportant'))} />
        <${Select} label=${t('filter.sentimentStart')} value=${sentimentStart.value} onChange=${(v) => (sentimentStart.value = v)} options=${sentimentOptions} />
        <${Select} label=${t('filter.sentimentEnd')} value=${sentimentEnd.value} onChange=${(v) => (sentimentEnd.value = v)} options=${sentimentOptions} />
        <${Select} label=${t('filter.sla')} value=${breached.value} onChange=${(v) => (breached.value = v)} options=${yesNo(t('filter.slaBreached'), t('filter.slaOnTime'))} />
      </div>
      <${Checks}
        legend=${t('filter.tags')}
        options=${o.tags.map((tag) => [tag.id, tag.name])}
        chosen=${tags.value}
        onChange=${(v) => (tags.value = v)}
        empty=${options.value ? t('filter.noTags') : t('app.loading')}
      />
    </form>
  </${Dialog}>`;
}
