// The header's presence (issue 12, item 8): online, away or offline, as a coloured dot
// with a menu, for the roles that have one (`presence.set`: admins, supervisors, agents,
// stakeholders). Only online agents receive tickets automatically (SPEC §4). Read with
// GET /v1/me/presence once per sign-in, changed with PUT.
import { effect, signal, useSignal } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { api } from './api.js';
import { errorText } from './errors.js';
import { html } from './html.js';
import { t } from './i18n.js';
import { tell } from './notice.js';
import { useDismiss } from './popover.js';
import { me } from './session.js';
import { useId } from './ui.js';

export const PRESENCES = ['online', 'away', 'offline'];

/** The signed-in person's presence; null until read. */
export const presence = signal(null);
let readFor = null;

function readPresence() {
  const id = me.value?.user.id;
  if (!id || readFor === id) return;
  readFor = id;
  api('GET', '/v1/me/presence').then(
    (found) => me.value?.user.id === id && (presence.value = found.presence),
    () => (readFor = null), // read again when a header next mounts
  );
}

effect(() => {
  if (!me.value) {
    presence.value = null;
    readFor = null;
  }
});

let saving = Promise.resolve();

function choose(value) {
  const before = presence.value;
  if (value === before) return;
  presence.value = value;
  // one change at a time, in the order chosen
  saving = saving.then(() =>
    api('PUT', '/v1/me/presence', { presence: value }).catch((error) => {
      if (presence.value === value) presence.value = before;
      tell(t('presence.failed', { reason: errorText(error) }), 'error');
    }),
  );
}

function Dot({ value }) {
  return html`<span class=${`presence-dot presence-dot--${value || 'unknown'}`} aria-hidden="true"></span>`;
}

function PresenceMenuList({ id, buttonRef, current, onClose }) {
  const ref = useRef(null);
  useDismiss(ref, buttonRef, onClose);
  useLayoutEffect(() => {
    const items = ref.current.querySelectorAll('[role="menuitemradio"]');
    (ref.current.querySelector('[aria-checked="true"]') || items[0])?.focus();
  }, []);
  const onKeyDown = (event) => {
    const items = [...ref.current.querySelectorAll('[role="menuitemradio"]')];
    const at = items.indexOf(document.activeElement);
    const go = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[event.key];
    if (go !== undefined) {
      event.preventDefault();
      items[(go + items.length) % items.length].focus();
    } else if (event.key === 'Tab') {
      onClose({ refocus: false });
    }
  };
  return html`<ul id=${id} ref=${ref} class="header-panel presence-menu" role="menu" aria-label=${t('presence.menu')} onKeyDown=${onKeyDown}>
    ${PRESENCES.map(
      (value) => html`<li role="none">
        <button
          type="button"
          role="menuitemradio"
          tabindex="-1"
          aria-checked=${value === current ? 'true' : 'false'}
          class="presence-menu__item"
          onClick=${() => {
            onClose({ refocus: true });
            choose(value);
          }}
        >
          <${Dot} value=${value} />
          <span class="presence-menu__text">
            <span class="presence-menu__name">${t(`presence.${value}`)}</span>
            <span class="presence-menu__hint">${t(`presence.hint.${value}`)}</span>
          </span>
          <svg class="presence-menu__check" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M5 12.5l4.5 4.5L19 7.5" /></svg>
        </button>
      </li>`,
    )}
  </ul>`;
}

export function PresenceMenu() {
  const open = useSignal(false);
  const buttonRef = useRef(null);
  const id = useId('presence-menu');
  useEffect(readPresence, []);
  const current = presence.value;
  const label = current ? t('presence.label', { state: t(`presence.${current}`) }) : t('presence.menu');
  const close = ({ refocus }) => {
    open.value = false;
    if (refocus) buttonRef.current?.focus();
  };
  const onKeyDown = (event) => {
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && !open.value) {
      event.preventDefault();
      open.value = true;
    }
  };
  return html`<div class="presence">
    <button
      type="button"
      ref=${buttonRef}
      class="header-button presence__button"
      aria-haspopup="menu"
      aria-expanded=${open.value ? 'true' : 'false'}
      aria-controls=${open.value ? id : undefined}
      aria-label=${label}
      title=${label}
      onClick=${() => (open.value = !open.value)}
      onKeyDown=${onKeyDown}
    >
      <${Dot} value=${current} />
      <span class="header-button__text">${current ? t(`presence.${current}`) : t('presence.menu')}</span>
      <svg class="presence__caret" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M7 10l5 5 5-5" /></svg>
    </button>
    ${open.value && html`<${PresenceMenuList} id=${id} buttonRef=${buttonRef} current=${current} onClose=${close} />`}
  </div>`;
}
