// Pieces the ticket view's parts share: icons, who a user id is, the sentiment faces, a
// message's delivery state, a popover that closes on Escape or a click outside.
import { signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { can, me } from '../session.js';

// --- icons: 24×24 strokes -----------------------------------------------------------------
const PATHS = {
  lock: 'M7 11V8a5 5 0 0 1 10 0v3M6 11h12v9H6z',
  star: 'M12 4l2.4 5 5.4.6-4 3.7 1.1 5.4L12 16l-4.9 2.7 1.1-5.4-4-3.7 5.4-.6z',
  merge: 'M6 4v4a6 6 0 0 0 6 6h0a6 6 0 0 1 6 6M18 4v4a6 6 0 0 1-6 6M15 17l3 3 3-3',
  user: 'M12 12a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM5.5 19a6.5 6.5 0 0 1 13 0',
  reply: 'M10 8L5 12l5 4M5 12h9a5 5 0 0 1 5 5v1',
  context: 'M4 6h16M4 12h10M4 18h16',
  clock: 'M12 20a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM12 8v4l2.5 2',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  checks: 'M2.5 12.5L7 17l9.5-9.5M11.5 16l1 1L22 7.5',
  alert: 'M12 4l9 16H3zM12 10v4M12 17.2v.1',
  smile: 'M12 20a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM8.5 14a4.5 4.5 0 0 0 7 0M9.5 10v.1M14.5 10v.1',
  clip: 'M19 11.5l-7 7a4.5 4.5 0 0 1-6.4-6.4l7.5-7.5a3 3 0 0 1 4.2 4.2l-7.4 7.4a1.5 1.5 0 0 1-2.1-2.1L14.5 7.5',
  send: 'M4 12l16-8-6 16-2.5-6.5z',
  template: 'M5 4h10l4 4v12H5zM15 4v4h4M8 12h8M8 16h6',
  close: 'M6 6l12 12M18 6L6 18',
  back: 'M14.5 6l-6 6 6 6',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  down: 'M6 9l6 6 6-6',
  bot: 'M7 9h10a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2v-6a2 2 0 0 1 2-2zM12 5v4M9.5 13.5v.1M14.5 13.5v.1M3 13v2M21 13v2',
};

export function Icon({ name, class: extra = '' }) {
  return html`<svg class=${`ticon ${extra}`} viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${PATHS[name]} /></svg>`;
}

// --- who an id is ---------------------------------------------------------------------------
/** ``{user id: user}`` of the account (roles that may list users; others know only themselves). */
export const users = signal({});
let usersAsked = false;

export function loadUsers() {
  if (usersAsked || !can('users.read')) return;
  usersAsked = true;
  api('GET', '/v1/users?limit=100').then(
    (page) => (users.value = Object.fromEntries(page.items.map((u) => [u.id, u]))),
    () => (usersAsked = false),
  );
}

/** A user's name as the view shows it: "Tú" for oneself, else "Ana Pérez", else a
 * neutral word when the role may not list users. */
export function userName(id, { full = true } = {}) {
  if (!id) return '';
  if (id === me.value?.user.id) return t('ticket.you');
  const user = users.value[id];
  if (!user) return t('ticket.someone');
  return full ? `${user.first_name} ${user.last_name}` : user.first_name;
}

// --- sentiment --------------------------------------------------------------------------------
export const SENTIMENTS = ['happy', 'neutral', 'angry'];
const FACES = {
  happy: 'M8.5 14a4.5 4.5 0 0 0 7 0',
  neutral: 'M8.5 15h7',
  angry: 'M8.5 16a4.5 4.5 0 0 1 7 0M8 9l2.5 1M16 9l-2.5 1',
};

export function Face({ value }) {
  return html`<svg class="tface" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <circle cx="12" cy="12" r="8.5" /><circle cx="9.5" cy="10.5" r=".9" class="fill" /><circle cx="14.5" cy="10.5" r=".9" class="fill" />
    <path d=${FACES[value]} />
  </svg>`;
}

/** Three faces as radio buttons (a group named by ``label``); read-only shows the chosen one. */
export function SentimentPicker({ label, value, onChange, disabled }) {
  return html`<fieldset class="tsentiment" disabled=${disabled}>
    <legend class="visually-hidden">${label}</legend>
    <span class="tsentiment__label" aria-hidden="true">${label}</span>
    <div class="tsentiment__options">
      ${SENTIMENTS.map(
        (key) => html`<label class=${`tsentiment__option tsentiment__option--${key}${value === key ? ' tsentiment__option--on' : ''}`} title=${t(`sentiment.${key}`)}>
          <input type="radio" name=${label} value=${key} checked=${value === key} aria-label=${t(`sentiment.${key}`)} onChange=${() => onChange(key)} />
          <${Face} value=${key} />
        </label>`,
      )}
    </div>
  </fieldset>`;
}

// --- a message's delivery state ----------------------------------------------------------------
const STATE_ICONS = { queued: 'clock', sent: 'check', delivered: 'checks', read: 'checks', failed: 'alert' };

export function DeliveryState({ message }) {
  const state = STATE_ICONS[message.status] ? message.status : 'queued';
  const text = t(`delivery.${state}`);
  return html`<span class=${`tdelivery tdelivery--${state}`} title=${message.status_error || text}>
    <${Icon} name=${STATE_ICONS[state]} />
    <span>${text}</span>
    ${state === 'failed' && message.status_error && html`<span class="tdelivery__reason">: ${message.status_error}</span>`}
  </span>`;
}

// --- a popover: Escape or a click outside closes it, focus goes back to its opener ----------
export function Popover({ label, onClose, children, class: extra = '' }) {
  const ref = useRef(null);
  useEffect(() => {
    const opener = document.activeElement;
    const outside = (event) => {
      if (ref.current && !ref.current.contains(event.target)) onClose();
    };
    const escape = (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        onClose();
        if (opener?.isConnected) opener.focus();
      }
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('keydown', escape);
    };
  }, []);
  return html`<div class=${`tpopover ${extra}`} role="dialog" aria-label=${label} ref=${ref}>${children}</div>`;
}

/** The file size as people read it: 830 B, 12 KB, 3.4 MB. */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The placeholders of quick replies (docs/helpdesk.md "Replies"), as the server fills them. */
export function fillPlaceholders(text, client) {
  const user = me.value?.user || {};
  const clientName = client?.name || '';
  const values = {
    'client.name': clientName,
    'client.first_name': clientName.split(' ')[0],
    'agent.first_name': user.first_name || '',
    'agent.name': [user.first_name, user.last_name].filter(Boolean).join(' '),
  };
  return text.replace(/\{\{\s*(client|agent)\.(first_name|name)\s*\}\}/g, (_, who, what) => values[`${who}.${what}`]);
}
