// "Respuestas rápidas" (seed 000): the texts agents insert in a reply by typing "/" and
// the shortcut, with placeholders the server fills (chalicelib/domain/helpdesk/replies.py)
// and files uploaded to storage through a presigned POST. ``?edit={id}`` opens one.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { formatWhen } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { navigate, route } from '../../router.js';
import { can, me } from '../../session.js';
import { Field } from '../../ui.js';
import { ConfirmDialog, EmptyState, Loading, Section } from '../kit.js';
import { AdminPage } from '../layout.js';
import { AddButton, deleted, DeskIcon, FormDialog, RowButton, SearchBox, TextArea, upsert, useAll, useSave } from './common.js';

/** The placeholders the server fills when the reply is sent (replies.py, fill_placeholders). */
export const PLACEHOLDERS = ['client.first_name', 'client.name', 'agent.first_name', 'agent.name'];
const PLACEHOLDER = /\{\{\s*(client|agent)\.(first_name|name)\s*\}\}/g;
const MAX_FILES = 10;
/** What the API takes (chalicelib/api/attachments.py), by extension when the browser does not say. */
const TYPES_BY_EXTENSION = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', mp3: 'audio/mpeg', ogg: 'audio/ogg', mp4: 'video/mp4',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  doc: 'application/msword', xls: 'application/vnd.ms-excel',
};
const ACCEPT = Object.keys(TYPES_BY_EXTENSION).map((e) => `.${e}`).join(',');

const byShortcut = (reply) => reply.shortcut;

/** The text with sample values: the client "María José Pérez", the agent oneself. */
function preview(text) {
  const user = me.value?.user || {};
  const client = t('desk.qr.sampleClient');
  const values = {
    'client.name': client,
    'client.first_name': client.split(' ')[0],
    'agent.first_name': user.first_name || '',
    'agent.name': [user.first_name, user.last_name].filter(Boolean).join(' '),
  };
  return text.replace(PLACEHOLDER, (_, who, what) => values[`${who}.${what}`]);
}

/** The text as the list shows it: each placeholder as a marked name ("Nombre del cliente"). */
function Marked({ text }) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, match.index));
    parts.push(html`<span class="dk-ph">${t(`desk.qr.ph.${match[1]}.${match[2]}`)}</span>`);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function typeOf(file) {
  const extension = (file.name.split('.').pop() || '').toLowerCase();
  return file.type || TYPES_BY_EXTENSION[extension] || 'application/octet-stream';
}

/** Uploads ``file``: the API signs a POST, the browser sends the file straight to storage. */
async function upload(file) {
  const signed = await api('POST', '/v1/attachments', { filename: file.name, content_type: typeOf(file), size: file.size });
  const form = new FormData();
  for (const [name, value] of Object.entries(signed.fields)) form.append(name, value);
  form.append('file', file);
  let answer;
  try {
    answer = await fetch(signed.url, { method: 'POST', body: form });
  } catch {
    throw new Error(t('desk.qr.uploadNetwork'));
  }
  if (!answer.ok) throw new Error(t('desk.qr.uploadRefused', { status: answer.status }));
  return { name: file.name, content_type: signed.content_type, s3_key: signed.s3_key };
}

let nextFile = 0;

function ReplyEditor({ reply, onClose, onSaved }) {
  const shortcut = useSignal(reply?.shortcut || '');
  const text = useSignal(reply?.text || '');
  const files = useSignal((reply?.attachments || []).map((a) => ({ id: ++nextFile, state: 'done', attachment: a, name: a.name })));
  const fileError = useSignal(null);
  const save = useSave();
  const box = useRef(null);
  const fileInput = useRef(null);
  const uploading = files.value.some((f) => f.state === 'uploading');
  const mayUpload = can('attachments.upload');

  function insert(name) {
    const value = `{{${name}}}`;
    const el = box.current;
    const start = el ? el.selectionStart : text.value.length;
    const end = el ? el.selectionEnd : text.value.length;
    const next = text.value.slice(0, start) + value + text.value.slice(end);
    // the box and its caret change now, not on a later frame: what is typed right after
    // the click lands after the placeholder (the render then finds the same value)
    if (el) {
      el.value = next;
      el.focus();
      el.setSelectionRange(start + value.length, start + value.length);
    }
    text.value = next;
    save.clear('text');
  }

  function addFiles(list) {
    fileError.value = null;
    const room = MAX_FILES - files.value.length;
    const chosen = [...list].slice(0, Math.max(0, room));
    if (list.length > chosen.length) fileError.value = t('desk.qr.tooManyFiles', { n: MAX_FILES });
    for (const file of chosen) {
      const entry = { id: ++nextFile, name: file.name, state: 'uploading' };
      files.value = [...files.value, entry];
      const update = (changes) => (files.value = files.value.map((f) => (f.id === entry.id ? { ...f, ...changes } : f)));
      upload(file).then(
        (attachment) => update({ state: 'done', attachment }),
        (error) => update({ state: 'failed', error: error.status !== undefined ? errorText(error, 'upload') : error.message }),
      );
    }
  }

  async function submit() {
    const missing = {};
    if (!shortcut.value.trim().replace(/^\//, '')) missing.shortcut = t('field.required');
    if (!text.value.trim()) missing.text = t('field.required');
    if (Object.keys(missing).length) return save.fail(missing);
    if (uploading) {
      fileError.value = t('desk.qr.waitUploads');
      return null;
    }
    const body = {
      shortcut: shortcut.value.trim(),
      text: text.value,
      attachments: files.value.filter((f) => f.state === 'done').map((f) => f.attachment),
    };
    const saved = await save.run(() => (reply ? api('PATCH', `/v1/quick-replies/${reply.id}`, body) : api('POST', '/v1/quick-replies', body)));
    if (saved) onSaved(saved);
    return saved;
  }

  return html`<${FormDialog}
    history=${reply && { path: `/v1/quick-replies/${reply.id}/history`, label: reply.shortcut }}
    title=${reply ? t('desk.qr.editTitle', { shortcut: reply.shortcut }) : t('desk.qr.newTitle')}
    description=${t('desk.qr.dialogText')}
    size="lg"
    save=${save}
    saveLabel=${reply ? t('admin.save') : t('desk.qr.create')}
    onSubmit=${submit}
    onClose=${onClose}
  >
    <div class="dk-qr-shortcut">
      <span class="dk-qr-shortcut__slash" aria-hidden="true">/</span>
      <${Field}
        label=${t('desk.qr.shortcut')}
        value=${shortcut.value}
        error=${save.errors.shortcut}
        hint=${t('desk.qr.shortcutHint')}
        maxLength="41"
        autocomplete="off"
        spellcheck="false"
        onInput=${(v) => {
          shortcut.value = v;
          save.clear('shortcut');
        }}
      />
    </div>
    <${TextArea}
      label=${t('desk.qr.text')}
      value=${text.value}
      error=${save.errors.text}
      rows="5"
      maxLength="4096"
      inputRef=${box}
      onInput=${(v) => {
        text.value = v;
        save.clear('text');
      }}
    />
    <div class="dk-placeholders" role="group" aria-label=${t('desk.qr.placeholders')}>
      <span class="dk-placeholders__label" aria-hidden="true">${t('desk.qr.placeholders')}</span>
      ${PLACEHOLDERS.map(
        (name) => html`<button type="button" class="dk-chip" aria-label=${t('desk.qr.insert', { what: t(`desk.qr.ph.${name}`) })} onClick=${() => insert(name)}>
          <${DeskIcon} name="plus" />${t(`desk.qr.ph.${name}`)}
        </button>`,
      )}
    </div>
    <div class="dk-preview" aria-live="polite">
      <p class="dk-preview__label">${t('desk.qr.preview')}</p>
      <p class="dk-preview__bubble">${text.value.trim() ? preview(text.value) : html`<span class="dk-preview__empty">${t('desk.qr.previewEmpty')}</span>`}</p>
    </div>
    <div class="dk-files">
      <div class="dk-files__head">
        <p class="field__label" id="dk-files-label">${t('desk.qr.files')}</p>
        ${mayUpload &&
        html`<button type="button" class="button button--secondary dk-files__add" disabled=${files.value.length >= MAX_FILES} onClick=${() => fileInput.current?.click()}>
          <${DeskIcon} name="clip" />${t('desk.qr.attach')}
        </button>`}
        <input
          ref=${fileInput}
          type="file"
          class="visually-hidden"
          tabindex="-1"
          aria-hidden="true"
          multiple
          accept=${ACCEPT}
          data-testid="quick-reply-files"
          onChange=${(e) => {
            addFiles(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </div>
      <p class="field__hint">${t('desk.qr.filesHint')}</p>
      ${files.value.length > 0 &&
      html`<ul class="dk-files__list" aria-labelledby="dk-files-label">
        ${files.value.map(
          (file) => html`<li class=${`dk-file dk-file--${file.state}`}>
            <${DeskIcon} name="file" />
            <span class="dk-file__name">${file.name}</span>
            <span class="dk-file__state">${file.state === 'failed' ? file.error : t(`desk.qr.file.${file.state}`)}</span>
            <${RowButton} icon="close" label=${t('desk.qr.removeFile', { name: file.name })} onClick=${() => (files.value = files.value.filter((f) => f.id !== file.id))} />
          </li>`,
        )}
      </ul>`}
      ${fileError.value && html`<p class="field__error" role="alert">${fileError.value}</p>`}
    </div>
  </${FormDialog}>`;
}

export function QuickRepliesScreen() {
  const list = useAll(
    () => api('GET', '/v1/quick-replies?limit=100'),
    (cursor) => api('GET', `/v1/quick-replies?limit=100&cursor=${encodeURIComponent(cursor)}`),
  );
  const query = useSignal('');
  const editing = useSignal(null); // null, 'new' or a reply
  const deleting = useSignal(null);
  const wanted = route.value.query.get('edit');

  // ?edit={id} (the account page links so): that reply's editor, once the list is here
  useEffect(() => {
    if (!wanted || !list.items) return;
    const found = list.items.find((r) => r.id === wanted);
    if (found) editing.value = found;
    else tell(t('desk.qr.notFound'), 'error');
  }, [wanted, list.items === null]);

  const close = () => {
    editing.value = null;
    if (wanted) navigate('/admin/quick-replies', { replace: true });
  };
  const needle = query.value.trim().toLowerCase();
  const shown = (list.items || [])
    .filter((r) => !needle || r.shortcut.toLowerCase().includes(needle.replace(/^\//, '')) || r.text.toLowerCase().includes(needle))
    .sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  const add = html`<${AddButton} label=${t('desk.qr.new')} onClick=${() => (editing.value = 'new')} />`;

  let body;
  if (list.items === null) body = html`<${Loading} error=${list.error} onRetry=${list.reload} />`;
  else if (!list.items.length) body = html`<${EmptyState} title=${t('desk.qr.empty')} text=${t('desk.qr.emptyText')} action=${add} />`;
  else {
    body = html`<div class="dk-toolbar">
        <${SearchBox} label=${t('desk.qr.search')} value=${query.value} onInput=${(v) => (query.value = v)} />
        <span class="dk-count" role="status">${t('desk.qr.count', { n: shown.length })}</span>
      </div>
      ${shown.length === 0
        ? html`<${EmptyState} title=${t('desk.noMatch')} />`
        : html`<div class="admin-table-wrap"><table class="admin-table dk-table">
            <thead><tr>
              <th scope="col">${t('desk.qr.shortcut')}</th>
              <th scope="col">${t('desk.qr.text')}</th>
              <th scope="col" class="dk-wide">${t('desk.qr.files')}</th>
              <th scope="col" class="dk-wide">${t('desk.updated')}</th>
              <th scope="col"><span class="visually-hidden">${t('desk.actions')}</span></th>
            </tr></thead>
            <tbody>
              ${shown.map(
                (reply) => html`<tr key=${reply.id}>
                  <td><button type="button" class="dk-link dk-shortcut" onClick=${() => (editing.value = reply)}>/${reply.shortcut}</button></td>
                  <td class="dk-table__text"><span class="dk-clamp"><${Marked} text=${reply.text} /></span></td>
                  <td class="admin-table__muted dk-wide">${reply.attachments.length ? html`<span class="dk-files-count"><${DeskIcon} name="clip" />${reply.attachments.length}</span>` : '—'}</td>
                  <td class="admin-table__muted dk-wide">${formatWhen(reply.updated_at)}</td>
                  <td class="admin-table__actions">
                    <${RowButton} icon="edit" label=${t('desk.qr.editOne', { shortcut: reply.shortcut })} onClick=${() => (editing.value = reply)} />
                    <${RowButton} icon="trash" danger label=${t('desk.qr.deleteOne', { shortcut: reply.shortcut })} onClick=${() => (deleting.value = reply)} />
                  </td>
                </tr>`,
              )}
            </tbody>
          </table></div>`}`;
  }

  return html`<${AdminPage} title=${t('desk.qr.title')} description=${t('desk.qr.description')} actions=${list.items?.length ? add : null}>
    <${Section} title=${t('desk.qr.listTitle')} id="quick-replies">${body}</${Section}>
    ${editing.value &&
    html`<${ReplyEditor}
      reply=${editing.value === 'new' ? null : editing.value}
      onClose=${close}
      onSaved=${(saved) => {
        list.set(upsert(list.items, saved, byShortcut));
        tell(editing.value === 'new' ? t('desk.qr.created', { shortcut: saved.shortcut }) : t('admin.saved'));
        close();
      }}
    />`}
    ${deleting.value &&
    html`<${ConfirmDialog}
      title=${t('desk.qr.deleteTitle', { shortcut: deleting.value.shortcut })}
      text=${t('desk.qr.deleteText')}
      confirmLabel=${t('desk.delete')}
      onConfirm=${async () => {
        const gone = deleting.value;
        await deleted(() => api('DELETE', `/v1/quick-replies/${gone.id}`));
        list.set(list.items.filter((r) => r.id !== gone.id));
        tell(t('desk.qr.deleted', { shortcut: gone.shortcut }));
      }}
      onClose=${() => (deleting.value = null)}
    />`}
  </${AdminPage}>`;
}
