// Atiende's chat widget: the one script a company pastes into its site.
//
//   <script src="https://<atiende>/widget.js" data-key="pk_…" async></script>
//
// It draws a bubble (bottom right) inside a shadow root, asks the visitor's name and
// email, and then speaks only the public chat API of the origin it was loaded from
// (chalicelib/api/chat.py): POST /chat/v1/sessions, POST and GET /chat/v1/messages.
// The visitor token and the conversation are kept in localStorage under the public key,
// so a reload (or the next page of the site) shows the same conversation. docs/widget.md.
import { CSS } from './styles.js';
import { pickLocale, textsFor } from './texts.js';

const OPEN_POLL = 3000; // ms, while the panel is open and the page visible
const IDLE_POLL = 15000; // ms, closed or hidden
const MAX_KEPT = 200; // messages kept in localStorage
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

const script =
  document.currentScript || document.querySelector('script[data-key][src*="widget.js"]');
if (script && !window.AtiendeChat) start(script);

function start(script) {
  const key = script.getAttribute('data-key') || '';
  if (!key) {
    console.warn('Atiende chat: the <script> tag needs data-key="<public key of the chat channel>"');
    return;
  }
  const API = new URL(script.src, location.href).origin;
  const locale = pickLocale(script.getAttribute('data-locale'));
  const T = textsFor(locale);
  const STORE = `atiende.chat.${key}`;
  const timeFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const dayFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long' });

  // --- state, kept in localStorage ----------------------------------------------------
  // {token, exp, name, email, title, open, unread, msgs: [{id, cid, dir, text, at, st}]}
  // st: 'sending' | 'sent' (accepted, not read back yet) | 'failed'; none once read back
  let state = load();
  let notice = ''; // a passing problem shown above the composer
  let formError = '';
  let timer = 0;
  let polling = false;

  function load() {
    try {
      const found = JSON.parse(localStorage.getItem(STORE) || 'null');
      if (found && Array.isArray(found.msgs)) return found;
    } catch {
      /* storage blocked or damaged: start afresh */
    }
    return { msgs: [], open: false, unread: 0 };
  }
  function save() {
    state.msgs = state.msgs.slice(-MAX_KEPT);
    try {
      localStorage.setItem(STORE, JSON.stringify(state));
    } catch {
      /* private mode: the conversation lasts as long as the page */
    }
  }

  // --- the API ----------------------------------------------------------------------------
  async function call(method, path, body, auth = true) {
    const headers = {};
    if (body) headers['Content-Type'] = 'application/json';
    if (auth) headers.Authorization = `Bearer ${state.token}`;
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        credentials: 'omit',
      });
    } catch {
      throw Object.assign(new Error('network'), { status: 0 });
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((data && data.error && data.error.message) || response.statusText);
      error.status = response.status;
      error.code = data && data.error && data.error.code;
      error.details = data && data.error && data.error.details;
      error.wait = Number(response.headers.get('Retry-After')) || 0;
      throw error;
    }
    return data;
  }

  // one session at a time: a poll and a send that both meet an expired token must not
  // open two (the send would go to one visitor, the poll read the other's conversation)
  let opening = null;
  function openSession() {
    opening ||= newSession().finally(() => (opening = null));
    return opening;
  }

  async function newSession() {
    const opened = await call(
      'POST',
      '/chat/v1/sessions',
      { public_key: key, name: state.name, email: state.email },
      false,
    );
    state.token = opened.visitor_token;
    state.exp = Date.now() + opened.expires_in * 1000;
    if (opened.site_name) state.title = opened.site_name;
    save();
  }

  /** A call with the visitor token; an expired one is replaced by a new session (the
   * messages shown so far stay on screen). */
  async function authed(method, path, body) {
    if (opening) await opening;
    if (!state.token || !(state.exp > Date.now() + 30000)) await openSession();
    const used = state.token;
    try {
      return await call(method, path, body);
    } catch (error) {
      if (error.status !== 401) throw error;
      if (state.token === used) await openSession(); // else another call renewed it
      return call(method, path, body);
    }
  }

  // --- messages ---------------------------------------------------------------------------
  const parseTime = (iso) => Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1'));
  const newId = () =>
    `w${Date.now().toString(36)}-${Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('')}`;

  function send(text) {
    const cid = newId();
    const message = { id: `local-${cid}`, cid, dir: 'in', text, at: Date.now(), st: 'sending' };
    state.msgs.push(message);
    save();
    render(true);
    deliver(message);
  }

  /** Sends (again) with the same client_message_id: the API stores a retried send once. */
  async function deliver(message) {
    message.st = 'sending';
    render();
    try {
      await authed('POST', '/chat/v1/messages', { text: message.text, client_message_id: message.cid });
      if (message.st === 'sending') message.st = 'sent';
      notice = '';
      schedule(800);
    } catch (error) {
      if (error.status === 429) {
        notice = T.slowDown;
        setTimeout(() => deliver(message), Math.max(error.wait, 2) * 1000);
      } else {
        message.st = 'failed';
        const why = { 0: T.offlineSend, 403: T.unavailable, 404: T.unavailable, 410: T.gone };
        notice = why[error.status] || '';
      }
    }
    save();
    render();
  }

  /** Merges what the API answered; true when something changed on screen. */
  function merge(found) {
    let fresh = 0;
    let changed = false;
    for (const item of found) {
      const at = parseTime(item.sent_at);
      const known =
        state.msgs.find((m) => m.id === item.id) ||
        (item.client_message_id && state.msgs.find((m) => m.cid === item.client_message_id));
      if (known) {
        if (known.st || known.id !== item.id || known.text !== item.text || known.at !== at) {
          changed = true;
          Object.assign(known, { id: item.id, text: item.text, at });
          delete known.st;
        }
      } else {
        state.msgs.push({ id: item.id, dir: item.direction, text: item.text, at });
        changed = true;
        if (item.direction === 'out') fresh += 1;
      }
    }
    if (!changed) return false;
    state.msgs.sort((a, b) => a.at - b.at);
    if (fresh && (!state.open || document.hidden)) state.unread = (state.unread || 0) + fresh;
    return true;
  }

  /** The newest time the API gave, less a minute: a reply stored a little late (an
   * auto-reply carries the time of the message it answers) is still read. */
  function since() {
    let newest = 0;
    for (const m of state.msgs) if (!m.id.startsWith('local-')) newest = Math.max(newest, m.at);
    return newest ? `?after=${encodeURIComponent(new Date(newest - 60000).toISOString())}` : '';
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (state.name) timer = setTimeout(poll, ms);
  }

  async function poll() {
    if (polling) return;
    polling = true;
    let wait = state.open && !document.hidden ? OPEN_POLL : IDLE_POLL;
    try {
      const found = await authed('GET', `/chat/v1/messages${since()}`);
      if (merge(found)) {
        save();
        render(); // follows the conversation unless the visitor scrolled up to read
      }
      if (notice === T.offline) {
        notice = '';
        render();
      }
    } catch (error) {
      if (error.status === 429) wait = Math.max(wait, error.wait * 1000);
      else if (error.status === 0) {
        wait = Math.max(wait, 10000);
        if (state.open) {
          notice = T.offline;
          render();
        }
      } else if (error.status === 403 || error.status === 404) wait = 60000;
    } finally {
      polling = false;
    }
    schedule(wait);
  }

  // --- the view ---------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else if (name === 'html') el.innerHTML = value; // only our own SVG icons
      else el.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child != null && child !== false) el.append(child);
    }
    return el;
  }
  const ICON_CHAT =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z"/></svg>';
  const ICON_CLOSE = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18"/></svg>';
  const ICON_DOWN = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="m6 9 6 6 6-6"/></svg>';
  const ICON_SEND =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z"/></svg>';

  const host = h('div', { id: 'atiende-chat', 'data-atiende': 'chat-widget' });
  const color = script.getAttribute('data-color');
  if (color && window.CSS && CSS_supports(color)) {
    host.style.setProperty('--a', color);
    host.style.setProperty('--a2', `color-mix(in srgb, ${color} 82%, black)`);
  }
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS); // not an inline <style>: a strict style-src on the site allows it
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', null, CSS));
  }

  const panelId = 'atiende-chat-panel';
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true' });
  const bubble = h('button', {
    type: 'button',
    class: 'bubble',
    'aria-controls': panelId,
    onclick: () => toggle(!state.open),
    html: ICON_CHAT,
  });
  const title = h('h2', { id: 'atiende-chat-title' });
  const body = h('div', { class: 'body' });
  const foot = h('div', { class: 'foot' });
  const panel = h(
    'div',
    { class: 'panel', id: panelId, role: 'dialog', 'aria-labelledby': 'atiende-chat-title' },
    h(
      'div',
      { class: 'head' },
      h('div', { class: 'avatar', html: ICON_CHAT }),
      h('div', { class: 'who' }, title, h('p', null, T.subtitle)),
      h('button', {
        type: 'button',
        class: 'x',
        'aria-label': T.close,
        title: T.close,
        onclick: () => toggle(false),
        html: ICON_CLOSE,
      }),
    ),
    body,
    foot,
  );
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      toggle(false);
    }
  });

  // the composer lives as long as the page: what the visitor types survives a re-render
  const textarea = h('textarea', {
    id: 'atiende-chat-text',
    rows: '1',
    maxlength: '4000',
    placeholder: T.placeholder,
    'aria-label': T.composer,
  });
  const composer = h(
    'form',
    { class: 'compose', onsubmit: submitText },
    textarea,
    h('button', { type: 'submit', class: 'send', 'aria-label': T.send, title: T.send, html: ICON_SEND }),
  );
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitText(event);
    }
  });
  textarea.addEventListener('input', grow);
  function grow() {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 120)}px`;
  }
  function submitText(event) {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    textarea.value = '';
    grow();
    send(text);
  }

  // the first form: name and email (what was typed, its errors, while the session opens)
  const form = { name: '', email: '', errors: {}, busy: false };
  let nameInput;
  let emailInput;
  let startButton;
  function startForm() {
    const field = (id, label, input, error) =>
      h(
        'div',
        null,
        h('label', { for: id }, label),
        input,
        error && h('p', { class: 'err', id: `${id}-err` }, error),
      );
    const errors = form.errors || {};
    nameInput = h('input', {
      id: 'atiende-chat-name',
      name: 'name',
      autocomplete: 'name',
      maxlength: '100',
      required: true,
      value: form.name || '',
      'aria-invalid': errors.name ? 'true' : null,
      'aria-describedby': errors.name ? 'atiende-chat-name-err' : null,
    });
    emailInput = h('input', {
      id: 'atiende-chat-email',
      name: 'email',
      type: 'email',
      autocomplete: 'email',
      maxlength: '254',
      required: true,
      value: form.email || '',
      'aria-invalid': errors.email ? 'true' : null,
      'aria-describedby': errors.email ? 'atiende-chat-email-err' : null,
    });
    startButton = h('button', { type: 'submit', class: 'primary', disabled: form.busy }, form.busy ? T.starting : T.start);
    return h(
      'div',
      { class: 'intro' },
      h('p', null, T.intro),
      h(
        'form',
        { class: 'start', novalidate: true, onsubmit: begin },
        formError && h('p', { class: 'alert', role: 'alert' }, formError),
        field('atiende-chat-name', T.name, nameInput, errors.name),
        field('atiende-chat-email', T.email, emailInput, errors.email),
        startButton,
      ),
    );
  }

  async function begin(event) {
    event.preventDefault();
    const name = nameInput.value.trim();
    const email = emailInput.value.trim();
    form.name = name;
    form.email = email;
    const errors = {};
    if (!name) errors.name = T.nameMissing;
    if (!EMAIL.test(email)) errors.email = T.emailInvalid;
    form.errors = errors;
    formError = '';
    if (errors.name || errors.email) {
      render();
      (errors.name ? nameInput : emailInput).focus();
      return;
    }
    form.busy = true;
    render();
    state.name = name;
    state.email = email;
    try {
      await openSession();
      save();
      form.busy = false;
      render(true);
      textarea.focus();
      schedule(OPEN_POLL);
    } catch (error) {
      delete state.name;
      delete state.email;
      form.busy = false;
      const badEmail = error.status === 400 && JSON.stringify(error.details || '').includes('email');
      if (badEmail) form.errors = { email: T.emailInvalid };
      else if (error.status === 403 || error.status === 404) formError = T.unavailable;
      else if (error.status === 429) formError = T.slowDown;
      else formError = error.status === 0 ? T.offline : T.error;
      render();
      (badEmail ? emailInput : startButton).focus();
    }
  }

  function messageView(m) {
    const mine = m.dir === 'in';
    const meta = [h('time', { datetime: new Date(m.at).toISOString() }, timeFormat.format(m.at))];
    if (m.st === 'sending') meta.push(h('span', null, T.sending));
    if (m.st === 'failed') {
      meta.push(
        h('span', { class: 'bad' }, T.failed),
        h('button', { type: 'button', class: 'link', onclick: () => deliver(m) }, T.retry),
      );
    }
    return h(
      'div',
      { class: `msg ${mine ? 'in' : 'out'}${m.st === 'failed' ? ' failed' : ''}`, 'data-state': m.st || 'stored' },
      h('div', { class: 'text' }, h('span', { class: 'sr' }, `${mine ? T.you : T.agent}: `), m.text),
      h('div', { class: 'meta' }, meta),
    );
  }

  let log;
  function render(toBottom = false) {
    const open = !!state.open;
    const heading = state.title || script.getAttribute('data-title') || T.title;
    title.textContent = heading;
    bubble.setAttribute('aria-label', open ? T.close : state.unread ? `${T.open} (${T.newMessages(state.unread)})` : T.open);
    bubble.setAttribute('aria-expanded', String(open));
    bubble.classList.toggle('hidden', open);
    if (bubble.dataset.open !== String(open)) {
      bubble.dataset.open = String(open);
      bubble.innerHTML = open ? ICON_DOWN : ICON_CHAT;
    }
    badge.textContent = state.unread || '';
    if (state.unread && !open) bubble.append(badge);
    else badge.remove();
    panel.hidden = !open;
    if (!open) return;

    if (!state.name) {
      body.replaceChildren(startForm());
      foot.replaceChildren(h('div', { class: 'small' }, h('span', null, T.poweredBy)));
      log = null;
      return;
    }
    const nearBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
    if (!log) {
      log = h('div', { role: 'log', 'aria-live': 'polite', 'aria-label': T.conversation, style: 'display:flex;flex-direction:column;gap:6px' });
      body.replaceChildren(log);
      foot.replaceChildren();
    }
    const items = [];
    let day = '';
    for (const m of state.msgs) {
      const thisDay = dayFormat.format(m.at);
      if (thisDay !== day) {
        day = thisDay;
        items.push(h('p', { class: 'day' }, thisDay));
      }
      items.push(messageView(m));
    }
    log.replaceChildren(...(items.length ? items : [h('p', { class: 'empty' }, T.empty)]));
    foot.replaceChildren(
      ...[
        notice && h('p', { class: 'note', role: 'status' }, notice),
        composer,
        h('div', { class: 'small' }, h('span', { class: 'k' }, T.hint), h('span', null, T.poweredBy)),
      ].filter(Boolean),
    );
    if (toBottom || nearBottom) body.scrollTop = body.scrollHeight;
  }

  function toggle(open) {
    state.open = open;
    if (open) state.unread = 0;
    save();
    render(true);
    if (open) {
      (state.name ? textarea : nameInput).focus();
      schedule(0);
    } else {
      bubble.focus();
      schedule(IDLE_POLL);
    }
  }

  function CSS_supports(value) {
    return window.CSS.supports('color', value);
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.open) schedule(0);
  });
  // another tab of the same site wrote: show what it knows
  window.addEventListener('storage', (event) => {
    if (event.key === STORE && event.newValue) {
      const open = state.open;
      state = load();
      state.open = open;
      render();
    }
  });

  root.append(bubble, panel);
  const mount = () => {
    document.body.append(host);
    render(true);
    // messages still on their way when the page was left go again, with the same id
    for (const m of state.msgs) if (m.st === 'sending' || m.st === 'sent') deliver(m);
    schedule(state.open ? 0 : 1000);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.AtiendeChat = {
    open: () => toggle(true),
    close: () => toggle(false),
  };
}
