// "Plantillas de WhatsApp" (SPEC §4): what may be sent once WhatsApp's 24-hour window has
// closed. Meta reviews them; Atiende keeps the list (name, language, category, body with
// {{1}}..{{n}}, the status Meta gave, the WhatsApp number it belongs to).
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../api.js';
import { ChannelIcon } from '../../channels.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { can } from '../../session.js';
import { Button, Dialog, Field, Select } from '../../ui.js';
import { Badge, ConfirmDialog, EmptyState, Loading, Section } from '../kit.js';
import { AdminPage } from '../layout.js';
import { AddButton, deleted, DeskIcon, FormDialog, RowButton, TextArea, useAll, useSave } from './common.js';

/** The sync of a channel's templates from its WhatsApp Business Account, ``(channelId) =>
 * {created, updated, removed}`` (docs/channels.md, "Template sync"). */
const syncTemplates = (channelId) => api('POST', `/v1/channels/${encodeURIComponent(channelId)}/templates/sync`);

const CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
const STATUSES = ['approved', 'pending', 'rejected'];
const STATUS_TONE = { approved: 'ok', pending: 'warn', rejected: 'danger' };
/** Meta's language codes people use most here; any other one stays when editing. */
const LANGUAGES = ['es', 'es_CL', 'es_AR', 'es_MX', 'es_ES', 'pt_BR', 'pt_PT', 'en', 'en_US', 'en_GB'];
const VARIABLE = /\{\{(\d+)\}\}/g;

/** The body with its variables as marked chips (``values[n-1]`` instead when given). */
export function TemplateBody({ body, values = [] }) {
  const parts = [];
  let last = 0;
  for (const match of body.matchAll(VARIABLE)) {
    parts.push(body.slice(last, match.index));
    const n = Number(match[1]);
    parts.push(html`<mark class="dk-var">${values[n - 1] || `{{${n}}}`}</mark>`);
    last = match.index + match[0].length;
  }
  parts.push(body.slice(last));
  return html`<p class="dk-template-body">${parts}</p>`;
}

/** "Español (Chile)" for es_CL; the code itself for one without a name here. */
function languageName(code) {
  const key = `desk.tpl.lang.${code}`;
  const text = t(key);
  return text === key ? code : `${text} · ${code}`;
}

function variableCount(body) {
  const numbers = new Set([...body.matchAll(VARIABLE)].map((m) => Number(m[1])));
  return numbers.size ? Math.max(...numbers) : 0;
}

function TemplateEditor({ template, channels, onClose, onSaved }) {
  const name = useSignal(template?.name || '');
  const language = useSignal(template?.language || 'es');
  const category = useSignal(template?.category || 'UTILITY');
  const status = useSignal(template?.status || 'approved');
  const channel = useSignal(template?.channel_id || (channels.length === 1 ? channels[0].id : ''));
  const body = useSignal(template?.body || '');
  const save = useSave();
  const box = useRef(null);
  // a company with one number: a new template is for it (the list may come after the dialog)
  useEffect(() => {
    if (!template && !channel.value && channels.length === 1) channel.value = channels[0].id;
  }, [channels.length]);
  const languages = LANGUAGES.includes(language.value) ? LANGUAGES : [language.value, ...LANGUAGES];

  function addVariable() {
    const value = `{{${variableCount(body.value) + 1}}}`;
    const el = box.current;
    const at = el ? el.selectionEnd : body.value.length;
    const next = body.value.slice(0, at) + value + body.value.slice(at);
    // the caret moves now, not on a later frame, so what is typed next follows the variable
    if (el) {
      el.value = next;
      el.focus();
      el.setSelectionRange(at + value.length, at + value.length);
    }
    body.value = next;
  }

  async function submit() {
    const missing = {};
    if (!name.value.trim()) missing.name = t('field.required');
    else if (!/^[a-z0-9_]+$/.test(name.value.trim())) missing.name = t('desk.tpl.nameRule');
    if (!body.value.trim()) missing.body = t('field.required');
    if (Object.keys(missing).length) return save.fail(missing);
    const fields = { name: name.value.trim(), language: language.value, category: category.value, body: body.value, status: status.value };
    const saved = await save.run(() =>
      template
        ? api('PATCH', `/v1/templates/${template.id}`, { ...fields, channel_id: channel.value })
        : api('POST', '/v1/templates', { ...fields, channel_id: channel.value || null }),
    );
    if (saved) onSaved(saved);
    return saved;
  }

  const count = variableCount(body.value);
  return html`<${FormDialog}
    history=${template && { path: `/v1/templates/${template.id}/history`, label: template.name }}
    title=${template ? t('desk.tpl.editTitle', { name: template.name }) : t('desk.tpl.newTitle')}
    description=${t('desk.tpl.dialogText')}
    size="lg"
    save=${save}
    saveLabel=${template ? t('admin.save') : t('desk.tpl.create')}
    onSubmit=${submit}
    onClose=${onClose}
  >
    <div class="dk-grid">
      <${Field}
        label=${t('desk.tpl.name')}
        value=${name.value}
        error=${save.errors.name}
        hint=${t('desk.tpl.nameHint')}
        maxLength="512"
        spellcheck="false"
        autocomplete="off"
        class="field__input dk-mono"
        onInput=${(v) => {
          name.value = v;
          save.clear('name');
        }}
      />
      <${Select} label=${t('desk.tpl.language')} value=${language.value} onChange=${(v) => (language.value = v)} options=${languages.map((code) => [code, languageName(code)])} />
      <${Select} label=${t('desk.tpl.category')} value=${category.value} onChange=${(v) => (category.value = v)} options=${CATEGORIES.map((c) => [c, t(`desk.tpl.category.${c}`)])} />
      <${Select} label=${t('desk.tpl.status')} value=${status.value} onChange=${(v) => (status.value = v)} options=${STATUSES.map((s) => [s, t(`desk.tpl.status.${s}`)])} />
      <${Select}
        label=${t('desk.tpl.channel')}
        value=${channel.value}
        onChange=${(v) => (channel.value = v)}
        options=${[['', t('desk.tpl.anyChannel')], ...channels.map((c) => [c.id, c.name])]}
      />
    </div>
    <${TextArea}
      label=${t('desk.tpl.body')}
      value=${body.value}
      error=${save.errors.body}
      hint=${t('desk.tpl.bodyHint')}
      rows="5"
      maxLength="1024"
      inputRef=${box}
      onInput=${(v) => {
        body.value = v;
        save.clear('body');
      }}
    />
    <div class="dk-placeholders">
      <button type="button" class="dk-chip" onClick=${addVariable}><${DeskIcon} name="plus" />${t('desk.tpl.addVariable', { n: count + 1 })}</button>
    </div>
    <div class="dk-preview" aria-live="polite">
      <p class="dk-preview__label">${t('desk.tpl.preview', { n: count })}</p>
      <div class="dk-preview__bubble dk-preview__bubble--wa">
        ${body.value.trim() ? html`<${TemplateBody} body=${body.value} />` : html`<span class="dk-preview__empty">${t('desk.qr.previewEmpty')}</span>`}
      </div>
    </div>
  </${FormDialog}>`;
}

function TemplateView({ template, channelName, onClose, onEdit }) {
  return html`<${Dialog}
    title=${template.name}
    onClose=${onClose}
    footer=${html`
      <button type="button" class="button button--secondary" onClick=${onClose}>${t('dialog.close')}</button>
      <button type="button" class="button button--primary" onClick=${onEdit}><${DeskIcon} name="edit" />${t('desk.edit')}</button>
    `}
  >
    <dl class="dk-facts">
      <div><dt>${t('desk.tpl.language')}</dt><dd>${languageName(template.language)}</dd></div>
      <div><dt>${t('desk.tpl.category')}</dt><dd>${t(`desk.tpl.category.${template.category}`)}</dd></div>
      <div><dt>${t('desk.tpl.status')}</dt><dd><${Badge} tone=${STATUS_TONE[template.status]}>${t(`desk.tpl.status.${template.status}`)}</${Badge}></dd></div>
      <div><dt>${t('desk.tpl.channel')}</dt><dd>${channelName}</dd></div>
    </dl>
    <p class="dk-preview__label">${t('desk.tpl.preview', { n: template.parameter_count })}</p>
    <div class="dk-preview__bubble dk-preview__bubble--wa"><${TemplateBody} body=${template.body} /></div>
  </${Dialog}>`;
}

function SyncButton({ channel, onDone }) {
  const busy = useSignal(false);
  const go = async () => {
    busy.value = true;
    try {
      const found = await syncTemplates(channel.id);
      tell(t('desk.tpl.synced', { name: channel.name, created: found.created, updated: found.updated, removed: found.removed }));
      onDone();
    } catch (error) {
      tell(errorText(error), 'error');
    } finally {
      busy.value = false;
    }
  };
  return html`<${Button} type="button" variant="secondary" busy=${busy.value} onClick=${go} aria-label=${t('desk.tpl.syncOne', { name: channel.name })}>
    <${ChannelIcon} type="whatsapp" size="xs" decorative />${t('desk.tpl.sync')}
  </${Button}>`;
}

export function TemplatesScreen() {
  const list = useAll(
    () => api('GET', '/v1/templates?limit=100'),
    (cursor) => api('GET', `/v1/templates?limit=100&cursor=${encodeURIComponent(cursor)}`),
  );
  const channels = useSignal([]);
  const editing = useSignal(null);
  const viewing = useSignal(null);
  const deleting = useSignal(null);
  const filter = useSignal('');

  useEffect(() => {
    if (!can('channels.read')) return;
    api('GET', '/v1/channels?limit=100').then(
      (page) => (channels.value = page.items.filter((c) => c.type === 'whatsapp')),
      () => (channels.value = []),
    );
  }, []);

  const channelName = (id) => (id ? channels.value.find((c) => c.id === id)?.name || t('desk.tpl.goneChannel') : t('desk.tpl.anyChannel'));
  const items = [...(list.items || [])].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
  const shown = items.filter((tpl) => !filter.value || (filter.value === '-' ? !tpl.channel_id : tpl.channel_id === filter.value));
  const add = html`<${AddButton} label=${t('desk.tpl.new')} onClick=${() => (editing.value = 'new')} />`;

  let body;
  if (list.items === null) body = html`<${Loading} error=${list.error} onRetry=${list.reload} />`;
  else if (!items.length) body = html`<${EmptyState} title=${t('desk.tpl.empty')} text=${t('desk.tpl.emptyText')} action=${add} />`;
  else {
    body = html`${channels.value.length > 0 &&
      html`<div class="dk-toolbar">
        <div class="dk-toolbar__select">
          <${Select}
            label=${t('desk.tpl.showChannel')}
            value=${filter.value}
            onChange=${(v) => (filter.value = v)}
            options=${[['', t('desk.tpl.allChannels')], ...channels.value.map((c) => [c.id, c.name]), ['-', t('desk.tpl.anyChannel')]]}
          />
        </div>
        <span class="dk-count" role="status">${t('desk.tpl.count', { n: shown.length })}</span>
      </div>`}
      ${shown.length === 0
        ? html`<${EmptyState} title=${t('desk.noMatch')} />`
        : html`<div class="admin-table-wrap"><table class="admin-table dk-table">
            <thead><tr>
              <th scope="col">${t('desk.tpl.name')}</th>
              <th scope="col">${t('desk.tpl.language')}</th>
              <th scope="col" class="dk-wide">${t('desk.tpl.category')}</th>
              <th scope="col">${t('desk.tpl.status')}</th>
              <th scope="col" class="dk-wide">${t('desk.tpl.channel')}</th>
              <th scope="col"><span class="visually-hidden">${t('desk.actions')}</span></th>
            </tr></thead>
            <tbody>
              ${shown.map(
                (tpl) => html`<tr key=${tpl.id}>
                  <td>
                    <button type="button" class="dk-link dk-mono" onClick=${() => (viewing.value = tpl)}>${tpl.name}</button>
                    <span class="dk-sub">${t('desk.tpl.variables', { n: tpl.parameter_count })}</span>
                  </td>
                  <td><code class="dk-code">${tpl.language}</code></td>
                  <td class="admin-table__muted dk-wide">${t(`desk.tpl.category.${tpl.category}`)}</td>
                  <td><${Badge} tone=${STATUS_TONE[tpl.status]}>${t(`desk.tpl.status.${tpl.status}`)}</${Badge}></td>
                  <td class="admin-table__muted dk-wide">${channelName(tpl.channel_id)}</td>
                  <td class="admin-table__actions">
                    <${RowButton} icon="eye" label=${t('desk.tpl.viewOne', { name: tpl.name, language: tpl.language })} onClick=${() => (viewing.value = tpl)} />
                    <${RowButton} icon="edit" label=${t('desk.tpl.editOne', { name: tpl.name, language: tpl.language })} onClick=${() => (editing.value = tpl)} />
                    <${RowButton} icon="trash" danger label=${t('desk.tpl.deleteOne', { name: tpl.name, language: tpl.language })} onClick=${() => (deleting.value = tpl)} />
                  </td>
                </tr>`,
              )}
            </tbody>
          </table></div>`}`;
  }

  return html`<${AdminPage} title=${t('desk.tpl.title')} description=${t('desk.tpl.description')} actions=${items.length ? add : null}>
    ${syncTemplates &&
    channels.value.length > 0 &&
    html`<${Section} title=${t('desk.tpl.syncTitle')} id="template-sync">
      <p class="dk-note">${t('desk.tpl.syncText')}</p>
      <ul class="dk-sync">
        ${channels.value.map(
          (c) => html`<li class="dk-sync__item">
            <span class="dk-sync__name"><${ChannelIcon} type="whatsapp" size="sm" decorative />${c.name}</span>
            <${SyncButton} channel=${c} onDone=${list.reload} />
          </li>`,
        )}
      </ul>
    </${Section}>`}
    <${Section} title=${t('desk.tpl.listTitle')} id="templates">${body}</${Section}>
    ${viewing.value &&
    html`<${TemplateView}
      template=${viewing.value}
      channelName=${channelName(viewing.value.channel_id)}
      onClose=${() => (viewing.value = null)}
      onEdit=${() => {
        editing.value = viewing.value;
        viewing.value = null;
      }}
    />`}
    ${editing.value &&
    html`<${TemplateEditor}
      template=${editing.value === 'new' ? null : editing.value}
      channels=${channels.value}
      onClose=${() => (editing.value = null)}
      onSaved=${(saved) => {
        const others = (list.items || []).filter((tpl) => tpl.id !== saved.id);
        list.set([...others, saved]);
        tell(editing.value === 'new' ? t('desk.tpl.created', { name: saved.name }) : t('admin.saved'));
        editing.value = null;
      }}
    />`}
    ${deleting.value &&
    html`<${ConfirmDialog}
      title=${t('desk.tpl.deleteTitle', { name: deleting.value.name, language: deleting.value.language })}
      text=${t('desk.tpl.deleteText')}
      confirmLabel=${t('desk.delete')}
      onConfirm=${async () => {
        const gone = deleting.value;
        await deleted(() => api('DELETE', `/v1/templates/${gone.id}`));
        list.set(list.items.filter((tpl) => tpl.id !== gone.id));
        tell(t('desk.tpl.deleted', { name: gone.name }));
      }}
      onClose=${() => (deleting.value = null)}
    />`}
  </${AdminPage}>`;
}
