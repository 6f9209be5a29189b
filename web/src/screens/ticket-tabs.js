// The ticket view's tabs (seed 003, steps 15-23): the client's data, the ticket's data,
// comments, the selected message's context, integrations, escalation, the bot, the
// client's previous tickets and the ticket's history.
import { signal, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { errorText, fieldErrors } from '../errors.js';
import { formatDateTime } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link } from '../router.js';
import { can } from '../session.js';
import { Alert, Button, Dialog, useId } from '../ui.js';
import { OrdersPanel } from '../orders/ticket-orders.js';
import { Icon, userName, users } from './ticket-parts.js';

export const TABS = ['client', 'ticket', 'comments', 'context', 'orders', 'integrations', 'escalate', 'bot', 'previous', 'history'];
/** Tabs shown only to whoever holds the action (the others are everyone's). */
const TAB_ACTIONS = { orders: 'orders.read' };

// --- shared reads (once per page) -------------------------------------------------------------
/** The account's custom fields by ``applies_to``; null until read. */
const customFields = signal(null);
/** Departments, agent groups and tags (first 100 each); null until read. */
export const lists = signal(null);

function loadCustomFields() {
  if (customFields.value || !can('custom_fields.read')) {
    customFields.value ??= { client: [], ticket: [] };
    return;
  }
  customFields.value = { client: [], ticket: [], loading: true };
  api('GET', '/v1/custom-fields?limit=100').then(
    (page) =>
      (customFields.value = {
        client: page.items.filter((f) => f.applies_to === 'client'),
        ticket: page.items.filter((f) => f.applies_to === 'ticket'),
      }),
    () => (customFields.value = { client: [], ticket: [] }),
  );
}

export function loadLists() {
  if (lists.value) return;
  lists.value = { departments: [], groups: [], tags: [] };
  const read = (allowed, call) => (allowed ? call().then((page) => page.items, () => []) : Promise.resolve([]));
  Promise.all([
    read(can('departments.read'), () => api('GET', '/v1/departments?limit=100')),
    read(can('agent_groups.read'), () => api('GET', '/v1/agent-groups?limit=100')),
    read(can('tags.read'), () => api('GET', '/v1/tags?limit=100')),
  ]).then(([departments, groups, tags]) => (lists.value = { departments, groups, tags }));
}

/** The messages of a 400 for the fields of a form (``{field or custom key: text}``). */
function problemsOf(error) {
  return error?.status === 400 ? fieldErrors(error) : {};
}

// --- custom fields ------------------------------------------------------------------------------
function checkCustom(field, value) {
  const text = value === undefined || value === null ? '' : String(value).trim();
  if (!text) return field.required ? t('field.required') : null;
  if (field.type === 'number' && !Number.isFinite(Number(text))) return t('custom.number');
  if (field.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(text)) return t('custom.date');
  return null;
}

function customValue(field, value) {
  const text = value === undefined || value === null ? '' : String(value).trim();
  if (!text) return null;
  return field.type === 'number' ? Number(text) : text;
}

function CustomInput({ field, value, error, onInput, disabled }) {
  const id = useId('custom');
  const shown = value === undefined || value === null ? '' : String(value);
  const common = {
    id,
    class: `field__input${field.type === 'select' ? ' field__select' : ''}`,
    disabled,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
    required: field.required,
  };
  return html`<div class=${`field${error ? ' field--invalid' : ''}`}>
    <label class="field__label" for=${id}>${field.label}${field.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
    ${field.type === 'select'
      ? html`<select ...${common} value=${shown} onChange=${(e) => onInput(e.currentTarget.value)}>
          <option value="">${t('custom.none')}</option>
          ${field.options.map((o) => html`<option value=${o} selected=${o === shown}>${o}</option>`)}
        </select>`
      : html`<input
          ...${common}
          type=${field.type === 'number' ? 'text' : field.type === 'date' ? 'date' : 'text'}
          inputmode=${field.type === 'number' ? 'decimal' : undefined}
          value=${shown}
          onInput=${(e) => onInput(e.currentTarget.value)}
        />`}
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

function PlainField({ label, value, error, onInput, disabled, type = 'text', hint }) {
  const id = useId('tfield');
  return html`<div class=${`field${error ? ' field--invalid' : ''}`}>
    <label class="field__label" for=${id}>${label}</label>
    <input
      id=${id}
      class="field__input"
      type=${type}
      value=${value ?? ''}
      disabled=${disabled}
      onInput=${(e) => onInput(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${[hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined}
    />
    ${hint && html`<p class="field__hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

function Saved({ show }) {
  return show ? html`<p class="tpanel__saved" role="status"><${Icon} name="check" />${t('tabs.saved')}</p>` : null;
}

// --- client ---------------------------------------------------------------------------------------
function ClientPanel({ client, onClient }) {
  const manage = can('clients.manage');
  const draft = useSignal(null);
  const errors = useSignal({});
  const busy = useSignal(false);
  const problem = useSignal(null);
  const saved = useSignal(false);
  useEffect(loadCustomFields, []);
  useEffect(() => {
    if (client) draft.value = { name: client.name || '', email: client.email || '', phone: client.phone || '', rut: client.rut || '', custom: { ...client.custom } };
  }, [client?.id, client?.updated_at]);
  if (!can('clients.read')) return html`<p class="tpanel__empty">${t('tabs.clientNotAllowed')}</p>`;
  if (!client || !draft.value) return html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`;
  const fields = customFields.value?.client || [];
  const d = draft.value;
  const set = (changes) => {
    draft.value = { ...d, ...changes };
    saved.value = false;
  };

  async function save(event) {
    event.preventDefault();
    problem.value = null;
    const found = {};
    if (!d.name.trim()) found.name = t('field.required');
    for (const f of fields) {
      const wrong = checkCustom(f, d.custom[f.key]);
      if (wrong) found[f.key] = wrong;
    }
    errors.value = found;
    if (Object.keys(found).length) return;
    const changes = {};
    if (d.name.trim() !== (client.name || '')) changes.name = d.name.trim();
    for (const key of ['email', 'phone', 'rut']) {
      const value = d[key].trim();
      if (value !== (client[key] || '')) changes[key] = value || null;
    }
    const custom = {};
    for (const f of fields) {
      const value = customValue(f, d.custom[f.key]);
      if (value !== (client.custom[f.key] ?? null)) custom[f.key] = value;
    }
    if (Object.keys(custom).length) changes.custom = custom;
    if (!Object.keys(changes).length) {
      saved.value = true;
      return;
    }
    busy.value = true;
    try {
      onClient(await api('PATCH', `/v1/clients/${client.id}`, changes));
      saved.value = true;
    } catch (error) {
      errors.value = problemsOf(error);
      problem.value = errorText(error);
    } finally {
      busy.value = false;
    }
  }

  return html`<form class="tpanel__form" onSubmit=${save} novalidate>
    ${!manage && html`<p class="tpanel__note">${t('tabs.readOnly')}</p>`}
    <${PlainField} label=${t('client.name')} value=${d.name} error=${errors.value.name} disabled=${!manage} onInput=${(v) => set({ name: v })} />
    <${PlainField} label=${t('client.email')} type="email" value=${d.email} error=${errors.value.email} disabled=${!manage} onInput=${(v) => set({ email: v })} />
    <${PlainField} label=${t('client.phone')} type="tel" value=${d.phone} error=${errors.value.phone} disabled=${!manage} onInput=${(v) => set({ phone: v })} hint=${t('client.phoneHint')} />
    <${PlainField} label=${t('client.rut')} value=${d.rut} error=${errors.value.rut} disabled=${!manage} onInput=${(v) => set({ rut: v })} hint=${t('client.rutHint')} />
    ${fields.map(
      (f) => html`<${CustomInput}
        key=${f.key}
        field=${f}
        value=${d.custom[f.key]}
        error=${errors.value[f.key]}
        disabled=${!manage}
        onInput=${(v) => set({ custom: { ...d.custom, [f.key]: v } })}
      />`,
    )}
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    <${Saved} show=${saved.value} />
    ${manage && html`<div class="tpanel__actions"><${Button} busy=${busy.value}>${t('tabs.save')}</${Button}></div>`}
  </form>`;
}

// --- ticket ---------------------------------------------------------------------------------------
function TicketPanel({ ticket, work, onTicket }) {
  const draft = useSignal(null);
  const errors = useSignal({});
  const busy = useSignal(false);
  const problem = useSignal(null);
  const saved = useSignal(false);
  const deptId = useId('dept');
  const groupId = useId('group');
  useEffect(() => {
    loadCustomFields();
    loadLists();
  }, []);
  const dirty = useRef(false);
  // the ticket read again (live, or after a change) shows its values, unless the person
  // is editing them
  useEffect(() => {
    if (dirty.current) return;
    draft.value = { department_id: ticket.department_id || '', group_id: ticket.group_id || '', tags: [...ticket.tags], metadata: { ...ticket.metadata } };
  }, [ticket.version]);
  if (!draft.value) return null;
  const d = draft.value;
  const fields = customFields.value?.ticket || [];
  const { departments, groups, tags } = lists.value || { departments: [], groups: [], tags: [] };
  const set = (changes) => {
    draft.value = { ...d, ...changes };
    dirty.current = true;
    saved.value = false;
  };

  async function save(event) {
    event.preventDefault();
    problem.value = null;
    const found = {};
    for (const f of fields) {
      const wrong = checkCustom(f, d.metadata[f.key]);
      if (wrong) found[f.key] = wrong;
    }
    errors.value = found;
    if (Object.keys(found).length) return;
    const changes = {};
    if (d.department_id !== (ticket.department_id || '')) changes.department_id = d.department_id || null;
    if (d.group_id !== (ticket.group_id || '')) changes.group_id = d.group_id || null;
    if ([...d.tags].sort().join() !== [...ticket.tags].sort().join()) changes.tags = d.tags;
    const metadata = {};
    for (const f of fields) {
      const value = customValue(f, d.metadata[f.key]);
      if (value !== null) metadata[f.key] = value;
    }
    if (JSON.stringify(metadata) !== JSON.stringify(Object.fromEntries(fields.filter((f) => ticket.metadata[f.key] != null).map((f) => [f.key, ticket.metadata[f.key]])))) {
      changes.metadata = metadata;
    }
    if (!Object.keys(changes).length) {
      dirty.current = false;
      saved.value = true;
      return;
    }
    busy.value = true;
    try {
      dirty.current = false;
      onTicket(await api('PATCH', `/v1/tickets/${ticket.number}`, changes));
      saved.value = true;
    } catch (error) {
      dirty.current = true;
      errors.value = problemsOf(error);
      problem.value = errorText(error, 'ticket');
    } finally {
      busy.value = false;
    }
  }

  const named = (items, id) => items.find((i) => i.id === id);
  return html`<form class="tpanel__form" onSubmit=${save} novalidate>
    ${!work && html`<p class="tpanel__note">${t('tabs.readOnly')}</p>`}
    <div class="field">
      <label class="field__label" for=${deptId}>${t('ticket.department')}</label>
      <select id=${deptId} class="field__input field__select" disabled=${!work} value=${d.department_id} onChange=${(e) => set({ department_id: e.currentTarget.value })}>
        <option value="">${t('ticket.noDepartment')}</option>
        ${d.department_id && !named(departments, d.department_id) && html`<option value=${d.department_id} selected>${t('ticket.unknownItem')}</option>`}
        ${departments.map((i) => html`<option value=${i.id} selected=${i.id === d.department_id}>${i.name}</option>`)}
      </select>
    </div>
    <div class="field">
      <label class="field__label" for=${groupId}>${t('ticket.group')}</label>
      <select id=${groupId} class="field__input field__select" disabled=${!work} value=${d.group_id} onChange=${(e) => set({ group_id: e.currentTarget.value })}>
        <option value="">${t('ticket.noGroup')}</option>
        ${d.group_id && !named(groups, d.group_id) && html`<option value=${d.group_id} selected>${t('ticket.unknownItem')}</option>`}
        ${groups.map((i) => html`<option value=${i.id} selected=${i.id === d.group_id}>${i.name}</option>`)}
      </select>
    </div>
    <fieldset class="checks" disabled=${!work}>
      <legend class="field__label">${t('ticket.tags')}</legend>
      ${tags.length
        ? html`<div class="checks__list">
            ${tags.map(
              (tag) => html`<label class=${`check${d.tags.includes(tag.id) ? ' check--on' : ''}`}>
                <input type="checkbox" checked=${d.tags.includes(tag.id)} onChange=${(e) => set({ tags: e.currentTarget.checked ? [...d.tags, tag.id] : d.tags.filter((x) => x !== tag.id) })} />
                ${tag.name}
              </label>`,
            )}
          </div>`
        : html`<p class="checks__empty">${t('ticket.noTags')}</p>`}
    </fieldset>
    ${fields.length > 0 && html`<h3 class="tpanel__subtitle">${t('ticket.customFields')}</h3>`}
    ${fields.map(
      (f) => html`<${CustomInput}
        key=${f.key}
        field=${f}
        value=${d.metadata[f.key]}
        error=${errors.value[f.key]}
        disabled=${!work}
        onInput=${(v) => set({ metadata: { ...d.metadata, [f.key]: v } })}
      />`,
    )}
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    <${Saved} show=${saved.value} />
    ${work && html`<div class="tpanel__actions"><${Button} busy=${busy.value}>${t('tabs.save')}</${Button}></div>`}
  </form>`;
}

// --- comments -----------------------------------------------------------------------------------
/** "@Ana" being typed at the end of the text: the mention picker's query. */
const TYPING_MENTION = /(^|\s)@([\p{L}\p{N}._-]{0,30})$/u;

/** ``list`` with each id once (its first place kept). */
function byId(list) {
  const seen = new Set();
  return list.filter((item) => !seen.has(item.id) && seen.add(item.id));
}

function CommentsPanel({ ticket, work, highlight }) {
  const items = useSignal(null);
  const cursor = useSignal(null);
  const problem = useSignal(null);
  const text = useSignal('');
  const mentions = useSignal([]);
  const replyTo = useSignal(null);
  const busy = useSignal(false);
  const formProblem = useSignal(null);
  const box = useRef(null);
  const boxId = useId('comment');

  async function load(more = false) {
    try {
      const page = more
        ? await api('GET', `/v1/tickets/${ticket.number}/comments?limit=50&cursor=${encodeURIComponent(cursor.value)}`)
        : await api('GET', `/v1/tickets/${ticket.number}/comments?limit=50`);
      items.value = more ? byId([...items.value, ...page.items]) : page.items;
      cursor.value = page.next_cursor;
    } catch (error) {
      problem.value = errorText(error);
      items.value ??= [];
    }
  }
  useEffect(() => {
    load();
  }, [ticket.number, highlight]);

  const typing = can('users.read') ? TYPING_MENTION.exec(text.value) : null;
  const query = typing ? typing[2].toLowerCase() : null;
  const suggestions =
    query === null
      ? []
      : Object.values(users.value)
          .filter((u) => u.active && `${u.first_name} ${u.last_name}`.toLowerCase().includes(query))
          .slice(0, 6);

  function mention(user) {
    const name = `${user.first_name} ${user.last_name}`;
    text.value = text.value.replace(TYPING_MENTION, (all, space) => `${space}@${name} `);
    if (!mentions.value.includes(user.id)) mentions.value = [...mentions.value, user.id];
    box.current?.focus();
  }

  async function send(event) {
    event.preventDefault();
    formProblem.value = null;
    const body = text.value.trim();
    if (!body) {
      formProblem.value = t('comments.empty');
      box.current?.focus();
      return;
    }
    const kept = mentions.value.filter((id) => {
      const u = users.value[id];
      return u && body.includes(`@${u.first_name} ${u.last_name}`);
    });
    busy.value = true;
    try {
      const added = await api('POST', `/v1/tickets/${ticket.number}/comments`, { text: body, reply_to: replyTo.value?.id ?? null, mentions: kept });
      // a read of the list may have answered first, with this comment in it already
      items.value = byId([...(items.value || []), added]);
      text.value = '';
      mentions.value = [];
      replyTo.value = null;
    } catch (error) {
      formProblem.value = errorText(error);
    } finally {
      busy.value = false;
    }
  }

  const list = items.value;
  const byParent = new Map();
  const ids = new Set((list || []).map((c) => c.id));
  for (const c of list || []) {
    const parent = c.reply_to && ids.has(c.reply_to) ? c.reply_to : null;
    byParent.set(parent, [...(byParent.get(parent) || []), c]);
  }
  const thread = (parent, depth) =>
    (byParent.get(parent) || []).map(
      (c) => html`<li class=${`tcomment${depth ? ' tcomment--reply' : ''}`} key=${c.id}>
        <article class="tcomment__body" aria-label=${t('comments.by', { who: userName(c.author_id) })}>
          <header class="tcomment__head">
            <span class="tcomment__author">${userName(c.author_id)}</span>
            <time datetime=${c.created_at}>${formatDateTime(c.created_at)}</time>
          </header>
          <p class="tcomment__text">${c.text}</p>
          ${work &&
          html`<button type="button" class="link-button tcomment__reply" onClick=${() => {
            replyTo.value = c;
            box.current?.focus();
          }}>${t('comments.reply')}</button>`}
        </article>
        ${byParent.has(c.id) && html`<ol class="tcomments tcomments--nested">${thread(c.id, depth + 1)}</ol>`}
      </li>`,
    );

  return html`<div class="tpanel__comments">
    <p class="tpanel__note">${t('comments.never')}</p>
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    ${list === null && html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`}
    ${list?.length === 0 && html`<p class="tpanel__empty">${t('comments.none')}</p>`}
    ${list?.length > 0 && html`<ol class="tcomments" aria-label=${t('comments.list')}>${thread(null, 0)}</ol>`}
    ${cursor.value && html`<button type="button" class="link-button" onClick=${() => load(true)}>${t('comments.more')}</button>`}
    ${work &&
    html`<form class="tcomment-form" onSubmit=${send} novalidate>
      ${replyTo.value &&
      html`<div class="treply__quote">
        <div class="treply__quote-text">
          <span class="treply__quote-who">${t('comments.replyingTo', { who: userName(replyTo.value.author_id) })}</span>
          <blockquote>${replyTo.value.text}</blockquote>
        </div>
        <button type="button" class="icon-button icon-button--sm" aria-label=${t('reply.cancelQuote')} title=${t('reply.cancelQuote')} onClick=${() => (replyTo.value = null)}>
          <${Icon} name="close" />
        </button>
      </div>`}
      <div class="field tcomment-form__field">
        <label class="field__label" for=${boxId}>${t('comments.new')}</label>
        <textarea
          id=${boxId}
          ref=${box}
          class="field__input tcomment-form__text"
          rows="3"
          maxlength="4000"
          value=${text.value}
          placeholder=${can('users.read') ? t('comments.placeholder') : ''}
          onInput=${(e) => (text.value = e.currentTarget.value)}
          onKeyDown=${(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') send(e);
          }}
        ></textarea>
        ${suggestions.length > 0 &&
        html`<ul class="tquick tquick--mentions" aria-label=${t('comments.mention')}>
          ${suggestions.map(
            (u) => html`<li><button type="button" class="tquick__option" onClick=${() => mention(u)}>@${u.first_name} ${u.last_name}</button></li>`,
          )}
        </ul>`}
      </div>
      ${formProblem.value && html`<p class="treply__error" role="alert">${formProblem.value}</p>`}
      <div class="tpanel__actions"><${Button} busy=${busy.value}>${t('comments.add')}</${Button}></div>
    </form>`}
  </div>`;
}

// --- context --------------------------------------------------------------------------------------
function ContextPanel({ ticket, selected, clientName }) {
  const found = useSignal(null);
  const problem = useSignal(null);
  useEffect(() => {
    if (!selected) return;
    found.value = null;
    problem.value = null;
    api('GET', `/v1/tickets/${ticket.number}/messages/${selected}/context?around=5`).then(
      (context) => (found.value = context),
      (error) => (problem.value = errorText(error)),
    );
  }, [selected]);
  if (!selected) return html`<p class="tpanel__empty">${t('context.choose')}</p>`;
  if (problem.value) return html`<${Alert}>${problem.value}</${Alert}>`;
  if (!found.value) return html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`;
  const c = found.value;
  const line = (m, chosen) => html`<li class=${`tcontext__item${chosen ? ' tcontext__item--chosen' : ''}`} aria-current=${chosen ? 'true' : undefined}>
    <span class="tcontext__who">${m.direction === 'out' ? userName(m.author_id) || t('ticket.bot') : clientName || t('ticket.client')}</span>
    <time datetime=${m.sent_at}>${formatDateTime(m.sent_at)}</time>
    <p>${m.text || t('ticket.attachmentOnly')}</p>
  </li>`;
  return html`<div>
    ${c.more_before && html`<p class="tpanel__note">${t('context.moreBefore')}</p>`}
    <ol class="tcontext">
      ${c.before.map((m) => line(m, false))}${line(c.message, true)}${c.after.map((m) => line(m, false))}
    </ol>
    ${c.more_after && html`<p class="tpanel__note">${t('context.moreAfter')}</p>`}
  </div>`;
}

// --- integrations -----------------------------------------------------------------------------
function IntegrationsPanel() {
  const items = useSignal(null);
  const problem = useSignal(null);
  const allowed = can('integrations.read');
  useEffect(() => {
    if (!allowed) return;
    api('GET', '/v1/integrations?limit=50').then(
      (page) => (items.value = page.items),
      (error) => {
        items.value = [];
        problem.value = errorText(error);
      },
    );
  }, []);
  return html`<div>
    <p class="tpanel__note">${t('integrations.about')}</p>
    ${!allowed && html`<p class="tpanel__empty">${t('integrations.adminOnly')}</p>`}
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    ${allowed && items.value === null && html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`}
    ${items.value?.length === 0 && !problem.value && html`<p class="tpanel__empty">${t('integrations.none')}</p>`}
    ${items.value?.length > 0 &&
    html`<ul class="tlist">
      ${items.value.map(
        (i) => html`<li class="tlist__item">
          <span class="tlist__title">${i.description || i.url}</span>
          <span class="tlist__meta">${i.url}</span>
          <span class="tlist__meta">${i.events.join(', ')}</span>
          <span class=${`badge${i.active ? ' badge--ok' : ''}`}>${i.active ? t('integrations.active') : t('integrations.paused')}</span>
          ${i.events.includes('bot.message') && html`<span class="badge">${t('integrations.bot')}</span>`}
        </li>`,
      )}
    </ul>`}
  </div>`;
}

// --- escalate -------------------------------------------------------------------------------------
function EscalatePanel({ ticket, work, onTicket }) {
  const email = useSignal('');
  const note = useSignal('');
  const errors = useSignal({});
  const confirming = useSignal(false);
  const busy = useSignal(false);
  const problem = useSignal(null);
  const noteId = useId('note');
  if (ticket.status === 'escalated') {
    return html`<p class="tpanel__empty">${t('escalate.done', { email: ticket.escalated_to })}</p>`;
  }
  const what = html`<div class="tpanel__explain">
    <p>${t('escalate.what1')}</p>
    <p>${t('escalate.what2')}</p>
  </div>`;
  if (!work) return html`<div>${what}<p class="tpanel__note">${t('tabs.readOnly')}</p></div>`;
  if (ticket.status === 'closed') return html`<div>${what}<p class="tpanel__note">${t('escalate.closed')}</p></div>`;

  function check(event) {
    event.preventDefault();
    const found = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim())) found.email = t('field.email');
    if (note.value.length > 2000) found.note = t('field.tooLong');
    errors.value = found;
    if (!Object.keys(found).length) confirming.value = true;
  }

  async function escalate() {
    busy.value = true;
    problem.value = null;
    try {
      await api('POST', `/v1/tickets/${ticket.number}/escalate`, { email: email.value.trim(), note: note.value.trim() || null });
      confirming.value = false;
      onTicket(null);
    } catch (error) {
      confirming.value = false;
      errors.value = problemsOf(error);
      problem.value = errorText(error, 'escalate');
    } finally {
      busy.value = false;
    }
  }

  return html`<form class="tpanel__form" onSubmit=${check} novalidate>
    ${what}
    <${PlainField} label=${t('escalate.email')} type="email" value=${email.value} error=${errors.value.email} onInput=${(v) => (email.value = v)} />
    <div class=${`field${errors.value.note ? ' field--invalid' : ''}`}>
      <label class="field__label" for=${noteId}>${t('escalate.note')}</label>
      <textarea id=${noteId} class="field__input tcomment-form__text" rows="3" maxlength="2000" value=${note.value} onInput=${(e) => (note.value = e.currentTarget.value)}></textarea>
      ${errors.value.note && html`<p class="field__error">${errors.value.note}</p>`}
    </div>
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    <div class="tpanel__actions"><${Button} variant="danger">${t('escalate.submit')}</${Button}></div>
    ${confirming.value &&
    html`<${Dialog}
      title=${t('escalate.confirmTitle', { number: ticket.number })}
      description=${t('escalate.confirmText', { email: email.value.trim() })}
      size="sm"
      onClose=${() => (confirming.value = false)}
      footer=${html`
        <${Button} type="button" variant="secondary" autofocus onClick=${() => (confirming.value = false)}>${t('dialog.cancel')}</${Button}>
        <${Button} type="button" variant="danger" busy=${busy.value} onClick=${escalate}>${t('escalate.confirm')}</${Button}>
      `}
    />`}
  </form>`;
}

// --- bot ------------------------------------------------------------------------------------------
function BotPanel({ ticket, work, onTicket }) {
  const busy = useSignal(false);
  const problem = useSignal(null);
  async function toggle() {
    busy.value = true;
    problem.value = null;
    try {
      await api('PUT', `/v1/tickets/${ticket.number}/bot`, { enabled: !ticket.bot });
      onTicket(null);
    } catch (error) {
      problem.value = errorText(error, 'bot');
    } finally {
      busy.value = false;
    }
  }
  return html`<div>
    <p class="tpanel__note">${t('bot.about')}</p>
    <div class="tbot">
      <${Icon} name="bot" />
      <span class="tbot__state">${ticket.bot ? t('bot.on') : t('bot.off')}</span>
      ${work &&
      html`<button type="button" class="tswitch" role="switch" aria-checked=${ticket.bot ? 'true' : 'false'} disabled=${busy.value} onClick=${toggle}>
        <span class="tswitch__track" aria-hidden="true"><span class="tswitch__thumb"></span></span>
        <span>${t('bot.switch')}</span>
      </button>`}
    </div>
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
  </div>`;
}

// --- previous tickets -----------------------------------------------------------------------
function PreviousPanel({ ticket }) {
  const items = useSignal(null);
  const problem = useSignal(null);
  useEffect(() => {
    api('GET', `/v1/tickets/${ticket.number}/previous`).then(
      (page) => (items.value = page.items),
      (error) => {
        items.value = [];
        problem.value = errorText(error);
      },
    );
  }, [ticket.number]);
  if (problem.value) return html`<${Alert}>${problem.value}</${Alert}>`;
  if (items.value === null) return html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`;
  if (!items.value.length) return html`<p class="tpanel__empty">${t('previous.none')}</p>`;
  return html`<ul class="tlist">
    ${items.value.map(
      (p) => html`<li class="tlist__item">
        <${Link} class="tlist__title" href=${`/tickets/${p.number}`}>${t('ticket.title', { number: p.number })}</${Link}>
        <span class=${`badge badge--${p.status}`}>${t(`status.${p.status}`)}</span>
        <span class="tlist__meta">${t('previous.opened', { when: formatDateTime(p.created_at) })}</span>
        ${p.last_message?.text && html`<span class="tlist__preview">${p.last_message.text}</span>`}
      </li>`,
    )}
  </ul>`;
}

// --- history --------------------------------------------------------------------------------------
const ACTIONS = {
  created: 'history.created',
  'assigned automatically': 'history.auto',
  assigned: 'history.assigned',
  status: 'history.status',
  important: 'history.important',
  merged: 'history.merged',
  merged_in: 'history.merged_in',
  escalated: 'history.escalated',
  bot: 'history.bot',
  updated: 'history.updated',
};
const FIELD_NAMES = {
  status: 'history.field.status',
  assignee_id: 'history.field.assignee',
  group_id: 'history.field.group',
  department_id: 'history.field.department',
  tags: 'history.field.tags',
  metadata: 'history.field.metadata',
  sentiment_start: 'history.field.sentiment_start',
  sentiment_end: 'history.field.sentiment_end',
  important: 'history.field.important',
  bot: 'history.field.bot',
  merged_into: 'history.field.merged_into',
  merged_from: 'history.field.merged_from',
  escalated_to: 'history.field.escalated_to',
  channel_id: 'history.field.channel',
  client_id: 'history.field.client',
};

function shownValue(key, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'status') return t(`status.${value}`);
  if (key.startsWith('sentiment')) return t(`sentiment.${value}`);
  if (key === 'assignee_id') return userName(value);
  const known = lists.value || { departments: [], groups: [], tags: [] };
  const nameOf = (items, id) => items.find((i) => i.id === id)?.name || t('ticket.unknownItem');
  if (key === 'department_id') return nameOf(known.departments, value);
  if (key === 'group_id') return nameOf(known.groups, value);
  if (key === 'tags' && Array.isArray(value)) return value.length ? value.map((id) => nameOf(known.tags, id)).join(', ') : '—';
  if (typeof value === 'boolean') return value ? t('history.yes') : t('history.no');
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}: ${v}`).join(', ') || '—';
  return String(value);
}

function HistoryPanel({ ticket }) {
  useEffect(loadLists, []);
  const items = useSignal(null);
  const cursor = useSignal(null);
  const problem = useSignal(null);
  async function load(more = false) {
    try {
      const page = more
        ? await api('GET', `/v1/tickets/${ticket.number}/history?limit=25&cursor=${encodeURIComponent(cursor.value)}`)
        : await api('GET', `/v1/tickets/${ticket.number}/history?limit=25`);
      items.value = more ? byId([...items.value, ...page.items]) : page.items;
      cursor.value = page.next_cursor;
    } catch (error) {
      items.value ??= [];
      problem.value = errorText(error);
    }
  }
  useEffect(() => {
    load();
  }, [ticket.number, ticket.version]);
  if (problem.value) return html`<${Alert}>${problem.value}</${Alert}>`;
  if (items.value === null) return html`<p class="tpanel__empty" role="status">${t('app.loading')}</p>`;
  return html`<div>
    <ol class="thistory">
      ${items.value.map((entry) => {
        const after = entry.after || {};
        const before = entry.before || {};
        const keys = Object.keys(after).filter((k) => k in FIELD_NAMES && !(entry.action === 'created' && k !== 'status'));
        return html`<li class="thistory__item">
          <p class="thistory__what">
            <strong>${entry.actor_id ? userName(entry.actor_id) : t('history.system')}</strong> ${ACTIONS[entry.action] ? t(ACTIONS[entry.action]) : entry.action}
          </p>
          ${keys.length > 0 &&
          html`<ul class="thistory__changes">
            ${keys.map(
              (k) => html`<li>${t(FIELD_NAMES[k])}: ${k in before ? html`${shownValue(k, before[k])} → ` : ''}${shownValue(k, after[k])}</li>`,
            )}
          </ul>`}
          <time class="thistory__when" datetime=${entry.at}>${formatDateTime(entry.at)}</time>
        </li>`;
      })}
    </ol>
    ${cursor.value && html`<button type="button" class="link-button" onClick=${() => load(true)}>${t('history.more')}</button>`}
  </div>`;
}

// --- the tab list ----------------------------------------------------------------------------------
/** The tabs and the chosen one's panel. Arrow keys move between tabs (WAI-ARIA tabs). */
export function TicketTabs({ tab, onTab, ticket, client, onClient, onTicket, work, selected, clientName }) {
  const base = useId('tabs');
  const list = useRef(null);
  const shown = TABS.filter((key) => !TAB_ACTIONS[key] || can(TAB_ACTIONS[key]));
  const onKeyDown = (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1, Home: -shown.length, End: shown.length }[event.key];
    if (!step) return;
    event.preventDefault();
    const at = shown.indexOf(tab);
    const next = shown[Math.min(shown.length - 1, Math.max(0, at + step)) % shown.length];
    const wrapped = event.key === 'ArrowRight' && at === shown.length - 1 ? shown[0] : event.key === 'ArrowLeft' && at === 0 ? shown[shown.length - 1] : next;
    onTab(wrapped);
    requestAnimationFrame(() => document.getElementById(`${base}-${wrapped}`)?.focus());
  };
  const panels = {
    client: () => html`<${ClientPanel} client=${client} onClient=${onClient} />`,
    ticket: () => html`<${TicketPanel} ticket=${ticket} work=${work} onTicket=${onTicket} />`,
    comments: () => html`<${CommentsPanel} ticket=${ticket} work=${work} />`,
    context: () => html`<${ContextPanel} ticket=${ticket} selected=${selected} clientName=${clientName} />`,
    orders: () => html`<${OrdersPanel} ticket=${ticket} work=${work} />`,
    integrations: () => html`<${IntegrationsPanel} />`,
    escalate: () => html`<${EscalatePanel} ticket=${ticket} work=${work} onTicket=${onTicket} />`,
    bot: () => html`<${BotPanel} ticket=${ticket} work=${work} onTicket=${onTicket} />`,
    previous: () => html`<${PreviousPanel} ticket=${ticket} />`,
    history: () => html`<${HistoryPanel} ticket=${ticket} />`,
  };
  return html`<section class="ttabs" aria-label=${t('tabs.label')}>
    <div class="ttabs__list" role="tablist" aria-label=${t('tabs.label')} ref=${list} onKeyDown=${onKeyDown}>
      ${shown.map(
        (key) => html`<button
          type="button"
          role="tab"
          id=${`${base}-${key}`}
          class=${`ttabs__tab${key === tab ? ' ttabs__tab--on' : ''}`}
          aria-selected=${key === tab ? 'true' : 'false'}
          aria-controls=${`${base}-panel`}
          tabindex=${key === tab ? '0' : '-1'}
          onClick=${() => onTab(key)}
        >${t(`tabs.${key}`)}</button>`,
      )}
    </div>
    <div class="ttabs__panel" role="tabpanel" id=${`${base}-panel`} aria-labelledby=${`${base}-${tab}`} tabindex="0">
      ${(shown.includes(tab) ? panels[tab] : panels.client)()}
    </div>
  </section>`;
}
