// The reply box: public or private where the channel has both, an answer to one message
// (quoted), "/" for quick replies, emoji, files for private replies (a presigned upload
// straight to storage), WhatsApp's 24-hour window and its templates once it has closed,
// Ctrl/Cmd+Enter to send.
import { useComputed, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { errorText } from '../errors.js';
import { formatDateTime, formatSpan } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { useId } from '../ui.js';
import { CatalogueButton } from '../orders/catalogue-send.js';
import { fillPlaceholders, formatSize, Icon, Popover } from './ticket-parts.js';

/** Channels whose answers are either a public comment or a private message. */
const BOTH = ['facebook', 'instagram', 'twitter', 'twitter_search'];
/** Channels answered only in public (store reviews). */
const PUBLIC_ONLY = ['app_store', 'play_store'];
/** Where a public answer is published under one of the client's public messages. */
const NAMES_A_POST = BOTH;

export function replyKinds(channelType) {
  if (BOTH.includes(channelType)) return 'both';
  return PUBLIC_ONLY.includes(channelType) ? 'public' : 'private';
}

/** A small built-in set of common emoji (no picker library). */
const EMOJI = [
  '😊', '🙂', '😀', '😄', '😉', '😍', '🥰', '😘', '🤗', '🤔', '😅', '😂',
  '😢', '😭', '😮', '😎', '🙏', '👍', '👎', '👌', '👋', '👏', '🙌', '💪',
  '❤️', '💙', '💚', '⭐', '✨', '🎉', '🎁', '🔥', '✅', '❌', '⚠️', '❓',
  '📦', '🚚', '🛒', '💳', '🧾', '📄', '📎', '📞', '📧', '⏰', '📅', '🏠',
];

/** What the API takes (chalicelib/api/attachments.py), by extension when the browser
 * does not say the type. */
const TYPES_BY_EXTENSION = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', jfif: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
  pdf: 'application/pdf', txt: 'text/plain', text: 'text/plain', log: 'text/plain', csv: 'text/csv',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg', mp4: 'video/mp4', m4v: 'video/mp4',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  doc: 'application/msword', xls: 'application/vnd.ms-excel',
};
const ACCEPT = Object.keys(TYPES_BY_EXTENSION).map((e) => `.${e}`).join(',');
const MAX_FILES = 10;
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const SEND_KEYS = IS_MAC ? '⌘ + Enter' : 'Ctrl + Enter';

function typeOf(file) {
  const extension = (file.name.split('.').pop() || '').toLowerCase();
  return file.type || TYPES_BY_EXTENSION[extension] || 'application/octet-stream';
}

let nextFile = 0;

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
    throw new Error(t('reply.uploadNetwork'));
  }
  if (!answer.ok) throw new Error(t('reply.uploadRefused', { status: answer.status }));
  return { s3_key: signed.s3_key, content_type: signed.content_type, filename: file.name, size: file.size };
}

// --- WhatsApp's window --------------------------------------------------------------------
function useNow(everyMs) {
  const now = useSignal(Date.now());
  useEffect(() => {
    const timer = setInterval(() => (now.value = Date.now()), everyMs);
    return () => clearInterval(timer);
  }, []);
  return now.value;
}

function WindowNote({ closesAt, now }) {
  const left = new Date(closesAt) - now;
  if (left <= 0) {
    return html`<p class="treply__window treply__window--closed" role="status">
      <${Icon} name="clock" />${t('reply.windowClosed', { when: formatDateTime(closesAt) })}
    </p>`;
  }
  return html`<p class=${`treply__window${left < 2 * 3_600_000 ? ' treply__window--soon' : ''}`} title=${t('reply.windowUntil', { when: formatDateTime(closesAt) })}>
    <${Icon} name="clock" />${t('reply.windowLeft', { time: formatSpan(left) })}
  </p>`;
}

// --- the quick-reply picker -----------------------------------------------------------------
/** The shortcut being typed: the whole text is "/" and a name so far. */
const TYPING_SHORTCUT = /^\/([\p{L}\p{N}_-]{0,40})$/u;

function useQuickReplies(text) {
  const found = useSignal([]);
  const query = can('quick_replies.read') ? TYPING_SHORTCUT.exec(text)?.[1] : undefined;
  useEffect(() => {
    if (query === undefined) {
      found.value = [];
      return undefined;
    }
    let live = true;
    const timer = setTimeout(() => {
      api('GET', `/v1/quick-replies?prefix=${encodeURIComponent(query)}&limit=8`).then(
        (page) => live && (found.value = page.items),
        () => live && (found.value = []),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);
  return query === undefined ? [] : found.value;
}

// --- templates (after the window) -----------------------------------------------------------
function TemplatePicker({ ticket, chosen, onChoose, parameters, onParameters }) {
  const templates = useSignal(null);
  const failed = useSignal(null);
  const selectId = useId('template');
  useEffect(() => {
    if (!can('templates.read')) {
      templates.value = [];
      return;
    }
    api('GET', '/v1/templates?limit=100').then(
      (page) =>
        (templates.value = page.items.filter((tpl) => tpl.status === 'approved' && (!tpl.channel_id || tpl.channel_id === ticket.channel_id))),
      (error) => {
        templates.value = [];
        failed.value = errorText(error);
      },
    );
  }, [ticket.channel_id]);
  const list = templates.value;
  if (list === null) return html`<p class="treply__hint" role="status">${t('app.loading')}</p>`;
  if (failed.value) return html`<p class="treply__error" role="alert">${failed.value}</p>`;
  if (!list.length) return html`<p class="treply__hint">${t('reply.noTemplates')}</p>`;
  const template = list.find((tpl) => tpl.id === chosen?.id);
  const preview = template ? template.body.replace(/\{\{(\d+)\}\}/g, (all, n) => parameters[Number(n) - 1] || all) : '';
  return html`<div class="ttemplate">
    <div class="field">
      <label class="field__label" for=${selectId}>${t('reply.template')}</label>
      <select id=${selectId} class="field__input field__select" value=${chosen?.id || ''} onChange=${(e) => {
        const picked = list.find((tpl) => tpl.id === e.currentTarget.value) || null;
        onChoose(picked);
        onParameters(picked ? Array(picked.parameter_count).fill('') : []);
      }}>
        <option value="">${t('reply.templateChoose')}</option>
        ${list.map((tpl) => html`<option value=${tpl.id} selected=${tpl.id === chosen?.id}>${tpl.name} (${tpl.language})</option>`)}
      </select>
    </div>
    ${template &&
    html`<div class="ttemplate__params">
        ${parameters.map(
          (value, i) => html`<label class="ttemplate__param">
            <span class="field__label">${t('reply.parameter', { n: i + 1 })}</span>
            <input class="field__input" value=${value} onInput=${(e) => onParameters(parameters.map((v, j) => (j === i ? e.currentTarget.value : v)))} />
          </label>`,
        )}
      </div>
      <p class="ttemplate__preview"><span class="visually-hidden">${t('reply.preview')}: </span>${preview}</p>`}
  </div>`;
}

// --- the box --------------------------------------------------------------------------------
/**
 * ``blocked``: why nobody may answer now (closed, merged, escalated, role), or null.
 * ``replyTo``: the message being answered; ``onSent(message)`` after the API took it.
 */
export function ReplyBox({ ticket, client, blocked, replyTo, replyToAuthor, onCancelReply, onSent }) {
  const kinds = replyKinds(ticket.channel_type);
  const publicReply = useSignal(kinds === 'public');
  const text = useSignal('');
  const files = useSignal([]);
  const busy = useSignal(false);
  const problem = useSignal(null);
  const emojiOpen = useSignal(false);
  const active = useSignal(0);
  const dismissed = useSignal(false);
  const template = useSignal(null);
  const parameters = useSignal([]);
  const box = useRef(null);
  const fileInput = useRef(null);
  const ids = useId('reply');
  const now = useNow(30_000);
  const options = useQuickReplies(dismissed.value ? '' : text.value);
  const windowClosed = ticket.reply_window_closes_at && new Date(ticket.reply_window_closes_at) <= now;
  const uploading = useComputed(() => files.value.some((f) => f.state === 'uploading'));

  useEffect(() => {
    if (replyTo) box.current?.focus();
  }, [replyTo?.id]);
  useEffect(() => {
    active.value = 0;
  }, [options.length]);

  if (blocked) {
    return html`<section class="treply treply--blocked" aria-label=${t('reply.label')}>
      ${ticket.reply_window_closes_at && html`<${WindowNote} closesAt=${ticket.reply_window_closes_at} now=${now} />`}
      <p class="treply__blocked">${blocked}</p>
    </section>`;
  }

  const showPicker = options.length > 0;
  const mayAttach = can('attachments.upload') && !windowClosed;
  const filesInPublic = publicReply.value && files.value.length > 0;
  const needsPost = publicReply.value && NAMES_A_POST.includes(ticket.channel_type) && !replyTo;

  function insert(value) {
    const el = box.current;
    const start = el ? el.selectionStart : text.value.length;
    const end = el ? el.selectionEnd : text.value.length;
    text.value = text.value.slice(0, start) + value + text.value.slice(end);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + value.length, start + value.length);
    });
  }

  function choose(quick) {
    text.value = fillPlaceholders(quick.text, client);
    requestAnimationFrame(() => {
      const el = box.current;
      el?.focus();
      el?.setSelectionRange(text.value.length, text.value.length);
    });
  }

  async function addFiles(list) {
    problem.value = null;
    const room = MAX_FILES - files.value.length;
    const chosen = [...list].slice(0, Math.max(0, room));
    if (list.length > chosen.length) problem.value = t('reply.tooManyFiles', { n: MAX_FILES });
    for (const file of chosen) {
      const entry = { id: ++nextFile, filename: file.name, size: file.size, state: 'uploading' };
      files.value = [...files.value, entry];
      const update = (changes) => (files.value = files.value.map((f) => (f.id === entry.id ? { ...f, ...changes } : f)));
      upload(file).then(
        (done) => update({ state: 'done', attachment: done }),
        (error) => update({ state: 'failed', error: error instanceof ApiError ? errorText(error, 'upload') : error.message }),
      );
    }
  }

  async function send() {
    if (busy.value || uploading.value) return;
    problem.value = null;
    const attachments = files.value.filter((f) => f.state === 'done').map((f) => f.attachment);
    let body;
    if (windowClosed) {
      if (!template.value) {
        problem.value = t('reply.chooseTemplate');
        return;
      }
      if (parameters.value.some((p) => !p.trim())) {
        problem.value = t('reply.fillParameters');
        return;
      }
      body = { text: '', public: false, template: { name: template.value.name, language: template.value.language, parameters: parameters.value } };
    } else {
      if (!text.value.trim() && !attachments.length) {
        problem.value = t('reply.empty');
        box.current?.focus();
        return;
      }
      if (filesInPublic) {
        problem.value = t('reply.filesPrivateOnly');
        return;
      }
      body = { text: text.value, public: publicReply.value, attachments };
      if (replyTo) body.reply_to = replyTo.id;
    }
    busy.value = true;
    try {
      const message = await api('POST', `/v1/tickets/${ticket.number}/messages`, body);
      text.value = '';
      files.value = [];
      template.value = null;
      parameters.value = [];
      onCancelReply();
      onSent(message);
      box.current?.focus();
    } catch (error) {
      problem.value = errorText(error, 'reply');
    } finally {
      busy.value = false;
    }
  }

  const onKeyDown = (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      send();
      return;
    }
    if (!showPicker) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      active.value = (active.value + step + options.length) % options.length;
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      choose(options[active.value] || options[0]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      dismissed.value = true;
    }
  };

  const listId = `${ids}-quick`;
  return html`<section class="treply" aria-label=${t('reply.label')}>
    ${ticket.reply_window_closes_at && html`<${WindowNote} closesAt=${ticket.reply_window_closes_at} now=${now} />`}
    ${replyTo &&
    html`<div class="treply__quote">
      <div class="treply__quote-text">
        <span class="treply__quote-who">${t('reply.answering', { who: replyToAuthor })}</span>
        <blockquote>${replyTo.text || t('ticket.attachmentOnly')}</blockquote>
      </div>
      <button type="button" class="icon-button icon-button--sm" aria-label=${t('reply.cancelQuote')} title=${t('reply.cancelQuote')} onClick=${onCancelReply}>
        <${Icon} name="close" />
      </button>
    </div>`}
    ${kinds === 'both' &&
    !windowClosed &&
    html`<fieldset class="treply__kind">
      <legend class="visually-hidden">${t('reply.kind')}</legend>
      ${[false, true].map(
        (isPublic) => html`<label class=${`treply__kind-option${publicReply.value === isPublic ? ' treply__kind-option--on' : ''}`}>
          <input type="radio" name=${`${ids}-kind`} checked=${publicReply.value === isPublic} onChange=${() => (publicReply.value = isPublic)} />
          ${!isPublic && html`<${Icon} name="lock" />`}${t(isPublic ? 'reply.public' : 'reply.private')}
        </label>`,
      )}
    </fieldset>`}
    ${kinds === 'public' && html`<p class="treply__hint">${t('reply.publicOnly')}</p>`}
    ${windowClosed
      ? html`<${TemplatePicker}
          ticket=${ticket}
          chosen=${template.value}
          onChoose=${(v) => (template.value = v)}
          parameters=${parameters.value}
          onParameters=${(v) => (parameters.value = v)}
        />`
      : html`<div class="treply__write">
          <label class="visually-hidden" for=${`${ids}-text`}>${t('reply.text')}</label>
          <textarea
            id=${`${ids}-text`}
            ref=${box}
            class="treply__text"
            rows="3"
            maxlength="4096"
            placeholder=${can('quick_replies.read') ? t('reply.placeholder') : t('reply.placeholderPlain')}
            value=${text.value}
            onInput=${(e) => {
              text.value = e.currentTarget.value;
              dismissed.value = false;
            }}
            onKeyDown=${onKeyDown}
            aria-describedby=${`${ids}-keys`}
            aria-autocomplete=${can('quick_replies.read') ? 'list' : undefined}
            aria-controls=${showPicker ? listId : undefined}
            aria-expanded=${can('quick_replies.read') ? (showPicker ? 'true' : 'false') : undefined}
            aria-activedescendant=${showPicker ? `${listId}-${active.value}` : undefined}
          ></textarea>
          ${showPicker &&
          html`<ul class="tquick" id=${listId} role="listbox" aria-label=${t('reply.quickReplies')}>
            ${options.map(
              (quick, i) => html`<li
                id=${`${listId}-${i}`}
                role="option"
                class=${`tquick__option${i === active.value ? ' tquick__option--active' : ''}`}
                aria-selected=${i === active.value ? 'true' : 'false'}
                onMouseDown=${(e) => {
                  e.preventDefault();
                  choose(quick);
                }}
              >
                <span class="tquick__shortcut">/${quick.shortcut}</span>
                <span class="tquick__text">${fillPlaceholders(quick.text, client)}</span>
              </li>`,
            )}
          </ul>`}
        </div>`}
    ${files.value.length > 0 &&
    html`<ul class="treply__files" aria-label=${t('reply.files')}>
      ${files.value.map(
        (file) => html`<li class=${`tupload tupload--${file.state}`}>
          <${Icon} name="file" />
          <span class="tupload__name">${file.filename}</span>
          <span class="tupload__state">${file.state === 'failed' ? file.error : `${formatSize(file.size)} · ${t(`reply.upload.${file.state}`)}`}</span>
          <button type="button" class="icon-button icon-button--sm" aria-label=${t('reply.removeFile', { name: file.filename })} title=${t('reply.removeFile', { name: file.filename })} onClick=${() => (files.value = files.value.filter((f) => f.id !== file.id))}>
            <${Icon} name="close" />
          </button>
        </li>`,
      )}
    </ul>`}
    ${needsPost && html`<p class="treply__hint">${t('reply.needsPost')}</p>`}
    ${filesInPublic && html`<p class="treply__error">${t('reply.filesPrivateOnly')}</p>`}
    ${problem.value && html`<p class="treply__error" role="alert">${problem.value}</p>`}
    <div class="treply__bar">
      <div class="treply__tools">
        ${!windowClosed &&
        html`<div class="treply__emoji">
          <button type="button" class="icon-button" aria-label=${t('reply.emoji')} title=${t('reply.emoji')} aria-expanded=${emojiOpen.value ? 'true' : 'false'} onClick=${() => (emojiOpen.value = !emojiOpen.value)}>
            <${Icon} name="smile" />
          </button>
          ${emojiOpen.value &&
          html`<${Popover} label=${t('reply.emoji')} class="temoji" onClose=${() => (emojiOpen.value = false)}>
            <div class="temoji__grid">
              ${EMOJI.map(
                (emoji) => html`<button type="button" class="temoji__item" onClick=${() => {
                  insert(emoji);
                  emojiOpen.value = false;
                }}>${emoji}</button>`,
              )}
            </div>
          </${Popover}>`}
        </div>`}
        ${mayAttach &&
        html`<button
            type="button"
            class="icon-button"
            aria-label=${t('reply.attach')}
            title=${publicReply.value ? t('reply.filesPrivateOnly') : t('reply.attach')}
            disabled=${publicReply.value}
            onClick=${() => fileInput.current?.click()}
          >
            <${Icon} name="clip" />
          </button>
          <input
            ref=${fileInput}
            type="file"
            class="visually-hidden"
            tabindex="-1"
            aria-hidden="true"
            multiple
            accept=${ACCEPT}
            onChange=${(e) => {
              addFiles(e.currentTarget.files);
              e.currentTarget.value = '';
            }}
          />`}
        ${can('catalogue.send') && !windowClosed && html`<${CatalogueButton} ticket=${ticket} onSent=${onSent} />`}
        ${windowClosed && html`<span class="treply__hint treply__hint--inline"><${Icon} name="template" />${t('reply.templateOnly')}</span>`}
      </div>
      <span class="treply__keys" id=${`${ids}-keys`}>${t('reply.keys', { keys: SEND_KEYS })}</span>
      <button type="button" class="button button--primary treply__send" disabled=${busy.value || uploading.value} aria-busy=${busy.value ? 'true' : undefined} onClick=${send} aria-keyshortcuts=${IS_MAC ? 'Meta+Enter' : 'Control+Enter'}>
        ${busy.value ? html`<span class="spinner" aria-hidden="true"></span>` : html`<${Icon} name="send" />`}
        ${windowClosed ? t('reply.sendTemplate') : t('reply.send')}
      </button>
    </div>
  </section>`;
}
