// The ticket view (seed 003, steps 4-23): a ticket's messages, the reply box, its actions
// and tabs. Opened from a board card or a search result at /tickets/{number}.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { ChannelIcon, channelName } from '../channels.js';
import { errorText } from '../errors.js';
import { formatDateTime, formatSpan } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { onChange } from '../live.js';
import { Link } from '../router.js';
import { can, me } from '../session.js';
import { AppHeader } from '../shell.js';
import { Alert, Button, Dialog, ScreenTitle, useId, useTitle } from '../ui.js';
import './ticket.css';
import { MessageList } from './ticket-messages.js';
import { Icon, loadUsers, SentimentPicker, userName, users } from './ticket-parts.js';
import { replyKinds, ReplyBox } from './ticket-reply.js';
import { lists, loadLists, TicketTabs } from './ticket-tabs.js';

/** Messages per page when scrolling back (the ticket itself brings its latest 50). */
const PAGE = 50;
const READ_ONLY = ['merged', 'escalated'];

/** The latest messages folded into those on screen: same id, newer state; sorted by id
 * (ids start with their time, and a merged ticket's copies keep theirs). */
function mergeMessages(shown, latest) {
  const byId = new Map(shown.map((m) => [m.id, m]));
  let changed = false;
  for (const m of latest) {
    const old = byId.get(m.id);
    if (!old || old.status !== m.status || old.status_error !== m.status_error) {
      byId.set(m.id, m);
      changed = true;
    }
  }
  if (!changed) return shown;
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// --- the header's facts -------------------------------------------------------------------------
function assigneeText(ticket) {
  if (!ticket.assignee_id) return t('ticket.unassigned');
  return userName(ticket.assignee_id);
}

function SlaFact({ ticket }) {
  const left = ticket.sla_time_left || {};
  const due = Object.entries(left).sort((a, b) => a[1] - b[1])[0];
  if (!due || !['open', 'pending'].includes(ticket.status)) return null;
  const [kind, seconds] = due;
  return html`<div class=${`tfacts__item${seconds <= 0 ? ' tfacts__item--late' : seconds < 3600 ? ' tfacts__item--soon' : ''}`}>
    <dt>${t(`sla.kind.${kind === 'first_response' ? 'first_response' : 'resolution'}`)}</dt>
    <dd>${seconds <= 0 ? t('sla.breached') : t('sla.left', { time: formatSpan(seconds * 1000) })}</dd>
  </div>`;
}

function Facts({ ticket, client, channel }) {
  const { departments, groups } = lists.value || { departments: [], groups: [] };
  const group = groups.find((g) => g.id === ticket.group_id);
  const department = departments.find((d) => d.id === ticket.department_id);
  const number = channel?.identifiers?.display_phone_number || channel?.identifiers?.address || channel?.identifiers?.username;
  return html`<dl class="tfacts">
    <div class="tfacts__item">
      <dt>${t('ticket.client')}</dt>
      <dd>${client ? client.name || client.handle || client.phone || client.email || t('ticket.client') : '…'}</dd>
    </div>
    <div class="tfacts__item">
      <dt>${t('ticket.account')}</dt>
      <dd class="tfacts__account">
        <${ChannelIcon} type=${ticket.channel_type} size="xs" />
        <span>${channel ? channel.name : channelName(ticket.channel_type)}${number ? html` <span class="tfacts__muted">${number}</span>` : ''}</span>
      </dd>
    </div>
    <div class="tfacts__item">
      <dt>${t('ticket.assignee')}</dt>
      <dd>${assigneeText(ticket)}${group ? html` <span class="tfacts__muted">· ${group.name}</span>` : ''}</dd>
    </div>
    ${department && html`<div class="tfacts__item"><dt>${t('ticket.department')}</dt><dd>${department.name}</dd></div>`}
    <${SlaFact} ticket=${ticket} />
  </dl>`;
}

// --- dialogs ------------------------------------------------------------------------------------
function ImportantDialog({ ticket, onClose, onDone }) {
  const busy = useSignal(false);
  const problem = useSignal(null);
  async function mark() {
    busy.value = true;
    try {
      onDone(await api('POST', `/v1/tickets/${ticket.number}/important`), t('important.done'));
    } catch (error) {
      problem.value = errorText(error, 'important');
      busy.value = false;
    }
  }
  return html`<${Dialog}
    title=${t('important.title', { number: ticket.number })}
    description=${t('important.text')}
    size="sm"
    onClose=${onClose}
    footer=${html`
      <${Button} type="button" variant="secondary" autofocus onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${Button} type="button" variant="danger" busy=${busy.value} onClick=${mark}>${t('important.confirm')}</${Button}>
    `}
  >${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}</${Dialog}>`;
}

const RUT = /^\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]$/;

/** One search by what was typed: a number, an email, a RUT or a name. */
function searchTickets(query) {
  const q = query.trim();
  const value = encodeURIComponent(q);
  const digits = q.replace(/^#/, '');
  if (/^\d{1,10}$/.test(digits)) return api('GET', `/v1/search/tickets?number=${digits}`);
  if (q.includes('@')) return api('GET', `/v1/search/tickets?email=${value}`);
  if (RUT.test(q) && /[-.]|[kK]$/.test(q)) return api('GET', `/v1/search/tickets?rut=${value}`);
  return api('GET', `/v1/search/tickets?name=${value}`);
}

function MergeDialog({ ticket, onClose, onDone }) {
  const query = useSignal('');
  const results = useSignal(null);
  const searching = useSignal(false);
  const chosen = useSignal(null);
  const busy = useSignal(false);
  const problem = useSignal(null);
  const inputId = useId('merge');
  useEffect(() => {
    const q = query.value.trim();
    if (q.length < 1 || (!/^#?\d+$/.test(q) && q.length < 2)) {
      results.value = null;
      return undefined;
    }
    let live = true;
    const timer = setTimeout(() => {
      searching.value = true;
      searchTickets(q).then(
        (found) => live && (results.value = found.items.filter((hit) => hit.number !== ticket.number)),
        (error) => {
          if (!live) return;
          results.value = [];
          problem.value = errorText(error);
        },
      ).finally(() => live && (searching.value = false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query.value]);

  async function merge() {
    if (!chosen.value) return;
    busy.value = true;
    problem.value = null;
    try {
      onDone(await api('POST', `/v1/tickets/${ticket.number}/merge`, { into: chosen.value }), t('merge.done', { number: chosen.value }));
    } catch (error) {
      problem.value = errorText(error, 'merge');
      busy.value = false;
    }
  }
  const list = results.value;
  return html`<${Dialog}
    title=${t('merge.title', { number: ticket.number })}
    description=${t('merge.text', { number: ticket.number })}
    onClose=${onClose}
    footer=${html`
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${Button} type="button" busy=${busy.value} disabled=${!chosen.value} onClick=${merge}>
        ${chosen.value ? t('merge.confirm', { number: chosen.value }) : t('merge.pick')}
      </${Button}>
    `}
  >
    <div class="field">
      <label class="field__label" for=${inputId}>${t('merge.search')}</label>
      <input id=${inputId} class="field__input" type="search" value=${query.value} autocomplete="off" aria-describedby=${`${inputId}-hint`} onInput=${(e) => {
        query.value = e.currentTarget.value;
        chosen.value = null;
        problem.value = null;
      }} />
      <p class="field__hint" id=${`${inputId}-hint`}>${t('merge.hint')}</p>
    </div>
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
    ${searching.value && html`<p class="tpanel__empty" role="status">${t('merge.searching')}</p>`}
    ${list?.length === 0 && !searching.value && html`<p class="tpanel__empty" role="status">${t('merge.none')}</p>`}
    ${list?.length > 0 &&
    html`<fieldset class="tmerge">
      <legend class="visually-hidden">${t('merge.results')}</legend>
      ${list.map((hit) => {
        const open = ['open', 'pending'].includes(hit.status);
        return html`<label class=${`tmerge__hit${chosen.value === hit.number ? ' tmerge__hit--on' : ''}${open ? '' : ' tmerge__hit--off'}`}>
          <input type="radio" name="merge-into" value=${hit.number} disabled=${!open} checked=${chosen.value === hit.number} onChange=${() => (chosen.value = hit.number)} />
          <${ChannelIcon} type=${hit.channel_type} size="xs" decorative />
          <span class="tmerge__number">#${hit.number}</span>
          <span class="tmerge__client">${hit.client?.name || hit.client?.email || t('ticket.client')}</span>
          <span class=${`badge badge--${hit.status}`}>${t(`status.${hit.status}`)}</span>
          ${!open && html`<span class="tmerge__why">${t('merge.notOpen')}</span>`}
        </label>`;
      })}
    </fieldset>`}
  </${Dialog}>`;
}

function AssignDialog({ ticket, onClose, onDone }) {
  const user = useSignal(ticket.assignee_id || '');
  const group = useSignal(ticket.group_id || '');
  const busy = useSignal(false);
  const problem = useSignal(null);
  const userId = useId('assignee');
  const groupId = useId('agroup');
  useEffect(loadLists, []);
  const self = me.value.user;
  const people = Object.values(users.value).filter(
    (u) => u.active && ['admin', 'supervisor', 'agent', 'stakeholder'].includes(u.role) && u.id !== self.id,
  );
  const groups = lists.value?.groups || [];
  async function assign() {
    busy.value = true;
    problem.value = null;
    try {
      const found = await api('PUT', `/v1/tickets/${ticket.number}/assignee`, { user_id: user.value || null, group_id: group.value || null });
      onDone(found, t('assign.done'));
    } catch (error) {
      problem.value = errorText(error, 'assign');
      busy.value = false;
    }
  }
  const known = (id) => !id || id === self.id || people.some((u) => u.id === id);
  return html`<${Dialog}
    title=${t('assign.title', { number: ticket.number })}
    description=${t('assign.text')}
    size="sm"
    onClose=${onClose}
    footer=${html`
      <${Button} type="button" variant="secondary" onClick=${onClose}>${t('dialog.cancel')}</${Button}>
      <${Button} type="button" busy=${busy.value} onClick=${assign}>${t('assign.confirm')}</${Button}>
    `}
  >
    <div class="field">
      <label class="field__label" for=${userId}>${t('assign.user')}</label>
      <select id=${userId} class="field__input field__select" value=${user.value} onChange=${(e) => (user.value = e.currentTarget.value)}>
        <option value="">${t('ticket.unassigned')}</option>
        <option value=${self.id}>${t('assign.me', { name: `${self.first_name} ${self.last_name}` })}</option>
        ${!known(user.value) && html`<option value=${user.value}>${userName(user.value)}</option>`}
        ${people.map((u) => html`<option value=${u.id} selected=${u.id === user.value}>${u.first_name} ${u.last_name} (${t(`role.${u.role}`)})</option>`)}
      </select>
    </div>
    <div class="field">
      <label class="field__label" for=${groupId}>${t('assign.group')}</label>
      <select id=${groupId} class="field__input field__select" value=${group.value} onChange=${(e) => (group.value = e.currentTarget.value)}>
        <option value="">${t('ticket.noGroup')}</option>
        ${groups.map((g) => html`<option value=${g.id} selected=${g.id === group.value}>${g.name}</option>`)}
      </select>
    </div>
    ${!can('users.read') && html`<p class="dialog__note">${t('assign.noList')}</p>`}
    ${problem.value && html`<${Alert}>${problem.value}</${Alert}>`}
  </${Dialog}>`;
}

// --- the screen ---------------------------------------------------------------------------------
export function TicketScreen({ number }) {
  return html`<${TicketView} key=${number} number=${Number(number)} />`;
}

function TicketView({ number }) {
  useTitle(t('ticket.title', { number }));
  const ticket = useSignal(null);
  const messages = useSignal([]);
  const older = useSignal(null);
  const loadingOlder = useSignal(false);
  const failed = useSignal(null);
  const notice = useSignal(null); // {tone, text}
  const client = useSignal(null);
  const channel = useSignal(null);
  const tab = useSignal('client');
  const selected = useSignal(null);
  const replyTo = useSignal(null);
  const dialog = useSignal(null); // 'important' | 'merge' | 'assign'
  const changing = useSignal(null); // the action running: 'status:closed', 'sentiment_end', ...
  const first = useRef(true);

  function adopt(found) {
    const { messages: latest, ...rest } = found;
    ticket.value = rest;
    messages.value = mergeMessages(messages.value, latest);
    if (first.current) {
      first.current = false;
      older.value = latest.length >= PAGE ? latest[0]?.id ?? null : null;
    }
  }

  async function load() {
    try {
      adopt(await api('GET', `/v1/tickets/${number}`));
      failed.value = null;
    } catch (error) {
      if (!ticket.value) failed.value = error;
    }
  }

  async function loadOlder() {
    if (!older.value || loadingOlder.value) return;
    loadingOlder.value = true;
    try {
      const page = await api('GET', `/v1/tickets/${number}/messages?before=${encodeURIComponent(older.value)}&limit=${PAGE}`);
      messages.value = mergeMessages(messages.value, page.items);
      older.value = page.next_before;
    } catch (error) {
      notice.value = { tone: 'error', text: errorText(error) };
    } finally {
      loadingOlder.value = false;
    }
  }

  useEffect(() => {
    load();
    loadUsers();
    loadLists();
  }, []);

  // live: a change of this ticket (a message stored, a status, an edit) reads it again;
  // bursts are read once
  useEffect(() => {
    let timer = null;
    const stop = onChange((change) => {
      if (Number(change.ticket) !== number) return;
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, []);

  const current = ticket.value;
  useEffect(() => {
    if (!current) return;
    if (can('clients.read')) api('GET', `/v1/clients/${current.client_id}`).then((c) => (client.value = c), () => (client.value = null));
    if (can('channels.read')) api('GET', `/v1/channels/${current.channel_id}`).then((c) => (channel.value = c), () => (channel.value = null));
  }, [current?.client_id, current?.channel_id]);

  function done(found, text) {
    dialog.value = null;
    if (found) adopt(found);
    else load();
    notice.value = text ? { tone: 'success', text } : null;
  }

  async function change(key, body, text) {
    changing.value = key;
    notice.value = null;
    try {
      done(await api('PATCH', `/v1/tickets/${number}`, body), text);
    } catch (error) {
      notice.value = { tone: 'error', text: errorText(error, 'ticket') };
    } finally {
      changing.value = null;
    }
  }

  if (failed.value) {
    const missing = failed.value.status === 404;
    return html`<div class="app">
      <a class="skip-link" href="#main">${t('app.skip')}</a>
      <${AppHeader} />
      <main id="main" class="app__main">
        <${ScreenTitle}>${t('ticket.title', { number })}</${ScreenTitle}>
        <${Alert}>${missing ? t('ticket.notFound') : errorText(failed.value)}</${Alert}>
        <p class="tview__back"><${Link} href="/">${t('ticket.back')}</${Link}></p>
      </main>
    </div>`;
  }

  if (!current) {
    return html`<div class="app">
      <a class="skip-link" href="#main">${t('app.skip')}</a>
      <${AppHeader} />
      <main id="main" class="app__main"><div class="board-loading" role="status"><span class="spinner spinner--large" aria-hidden="true"></span><span class="visually-hidden">${t('app.loading')}</span></div></main>
    </div>`;
  }

  const readOnly = READ_ONLY.includes(current.status);
  const work = can('tickets.work') && !readOnly;
  const clientName = client.value ? client.value.name || client.value.handle || client.value.phone || '' : '';
  let blocked = null;
  if (!can('tickets.work') || !['admin', 'supervisor', 'agent', 'stakeholder'].includes(me.value.user.role)) blocked = t('ticket.readOnlyRole');
  else if (current.status === 'merged') blocked = t('ticket.mergedShort', { number: current.merged_into });
  else if (current.status === 'escalated') blocked = t('ticket.escalatedShort', { email: current.escalated_to });
  else if (current.status === 'closed') blocked = t('ticket.closedReply');

  const replyAuthor = replyTo.value
    ? replyTo.value.direction === 'out'
      ? userName(replyTo.value.author_id) || t('ticket.bot')
      : clientName || t('ticket.client')
    : '';
  const statusActions = {
    open: [['pending', 'ticket.makePending'], ['closed', 'ticket.close']],
    pending: [['open', 'ticket.makeOpen'], ['closed', 'ticket.close']],
    closed: [['open', 'ticket.reopen']],
  }[current.status] || [];

  return html`<div class="app app--ticket">
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <${AppHeader} />
    <main id="main" class="tview">
      <header class="thead">
        <div class="thead__top">
          <${Link} class="thead__back" href="/"><${Icon} name="back" />${t('ticket.back')}</${Link}>
        </div>
        <div class="thead__row">
          <div class="thead__title">
            <${ChannelIcon} type=${current.channel_type} />
            <${ScreenTitle} class="thead__h1">${t('ticket.title', { number })}</${ScreenTitle}>
            <span class=${`badge badge--${current.status} thead__status`}>${t(`status.${current.status}`)}</span>
            ${current.important &&
            html`<span class="tflag" role="img" aria-label=${t('card.important')} title=${t('card.important')}><${Icon} name="star" /></span>`}
          </div>
          <div class="thead__sentiments">
            <${SentimentPicker}
              label=${t('ticket.sentimentStart')}
              value=${current.sentiment_start}
              disabled=${!work || changing.value === 'sentiment_start'}
              onChange=${(value) => change('sentiment_start', { sentiment_start: value }, null)}
            />
            <${SentimentPicker}
              label=${t('ticket.sentimentEnd')}
              value=${current.sentiment_end}
              disabled=${!work || changing.value === 'sentiment_end'}
              onChange=${(value) => change('sentiment_end', { sentiment_end: value }, null)}
            />
          </div>
        </div>
        <${Facts} ticket=${current} client=${client.value} channel=${channel.value} />
        ${(work || (can('tickets.assign') && !readOnly)) &&
        html`<div class="tactions" role="toolbar" aria-label=${t('ticket.actions')}>
          ${work &&
          !current.important &&
          html`<button type="button" class="taction" onClick=${() => (dialog.value = 'important')}><${Icon} name="star" />${t('ticket.markImportant')}</button>`}
          ${work &&
          ['open', 'pending'].includes(current.status) &&
          html`<button type="button" class="taction" onClick=${() => (dialog.value = 'merge')}><${Icon} name="merge" />${t('ticket.merge')}</button>`}
          ${can('tickets.assign') &&
          !readOnly &&
          html`<button type="button" class="taction" onClick=${() => (dialog.value = 'assign')}><${Icon} name="user" />${t('ticket.assign')}</button>`}
          ${work &&
          statusActions.map(
            ([status, label]) => html`<button
              type="button"
              class=${`taction${status === 'closed' ? ' taction--strong' : ''}`}
              disabled=${changing.value !== null}
              aria-busy=${changing.value === `status:${status}` ? 'true' : undefined}
              onClick=${() => change(`status:${status}`, { status }, t(`ticket.statusDone.${status}`))}
            >${t(label)}</button>`,
          )}
        </div>`}
      </header>
      ${readOnly &&
      html`<div class="tbanner" role="status">
        ${current.status === 'merged'
          ? html`${t('ticket.mergedInto', { number: current.merged_into })} <${Link} href=${`/tickets/${current.merged_into}`}>${t('ticket.open', { number: current.merged_into })}</${Link}>`
          : t('ticket.escalatedTo', { email: current.escalated_to })}
      </div>`}
      ${!can('tickets.work') && html`<div class="tbanner tbanner--quiet">${t('ticket.readOnlyRole')}</div>`}
      ${notice.value && html`<div class="tview__notice"><${Alert} tone=${notice.value.tone}>${notice.value.text}</${Alert}></div>`}
      <div class="tview__body">
        <section class="tview__conv" aria-label=${t('ticket.messages')}>
          <${MessageList}
            messages=${messages.value}
            hasOlder=${older.value !== null}
            loadingOlder=${loadingOlder.value}
            onOlder=${loadOlder}
            clientName=${clientName}
            showPublic=${replyKinds(current.channel_type) === 'both'}
            selectedId=${selected.value}
            canReply=${!blocked}
            onReply=${(m) => (replyTo.value = m)}
            onContext=${(m) => {
              selected.value = m.id;
              tab.value = 'context';
            }}
          />
          <${ReplyBox}
            ticket=${current}
            client=${client.value}
            blocked=${blocked}
            replyTo=${replyTo.value}
            replyToAuthor=${replyAuthor}
            onCancelReply=${() => (replyTo.value = null)}
            onSent=${(message) => {
              messages.value = mergeMessages(messages.value, [message]);
              notice.value = null;
              load();
            }}
          />
        </section>
        <aside class="tview__side">
          <${TicketTabs}
            tab=${tab.value}
            onTab=${(key) => (tab.value = key)}
            ticket=${current}
            client=${client.value}
            onClient=${(c) => (client.value = c)}
            onTicket=${(found) => done(found, null)}
            work=${work}
            selected=${selected.value}
            clientName=${clientName}
          />
        </aside>
      </div>
    </main>
    ${dialog.value === 'important' && html`<${ImportantDialog} ticket=${current} onClose=${() => (dialog.value = null)} onDone=${done} />`}
    ${dialog.value === 'merge' && html`<${MergeDialog} ticket=${current} onClose=${() => (dialog.value = null)} onDone=${done} />`}
    ${dialog.value === 'assign' && html`<${AssignDialog} ticket=${current} onClose=${() => (dialog.value = null)} onDone=${done} />`}
  </div>`;
}
