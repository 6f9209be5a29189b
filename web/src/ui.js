// The console's building blocks: fields with their labels and errors, buttons,
// alerts, the logo, the language picker and the public pages' frame.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';
import { chooseLocale, locale, LOCALES, t } from './i18n.js';
import { Link, moves } from './router.js';

let nextId = 0;
/** A stable id for label/description pairs. */
export function useId(prefix) {
  const ref = useRef(null);
  ref.current ??= `${prefix}-${++nextId}`;
  return ref.current;
}

export function Logo({ inverted = false, href = '/' }) {
  return html`<${Link} href=${href} class=${`logo${inverted ? ' logo--inverted' : ''}`} aria-label=${t('app.name')}>
    <svg class="logo__mark" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="14" class="logo__tile" />
      <path d="M18 44V26a8 8 0 0 1 8-8h12a8 8 0 0 1 8 8v8a8 8 0 0 1-8 8H28l-10 8z" class="logo__bubble" />
      <circle cx="46" cy="18" r="7" class="logo__dot" />
    </svg>
    <span class="logo__word">Atiende</span>
  </${Link}>`;
}

/** A labelled input; its error is announced and tied to it with aria-describedby. */
export function Field({ label, value, error, hint, type = 'text', onInput, autocomplete, required = true, ...rest }) {
  const id = useId('field');
  const shown = useSignal(false);
  const isPassword = type === 'password';
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return html`<div class=${`field${error ? ' field--invalid' : ''}`}>
    <label class="field__label" for=${id}>${label}</label>
    <div class="field__control">
      <input
        id=${id}
        class="field__input"
        type=${isPassword && shown.value ? 'text' : type}
        value=${value}
        onInput=${(e) => onInput(e.currentTarget.value)}
        autocomplete=${autocomplete}
        required=${required}
        aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${described}
        ...${rest}
      />
      ${isPassword &&
      html`<button
        type="button"
        class="field__reveal"
        aria-pressed=${shown.value ? 'true' : 'false'}
        aria-label=${shown.value ? t('password.hide') : t('password.show')}
        title=${shown.value ? t('password.hide') : t('password.show')}
        onClick=${() => (shown.value = !shown.value)}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z" />
          <circle cx="12" cy="12" r="3" />
          ${shown.value && html`<path d="M4 4l16 16" />`}
        </svg>
      </button>`}
    </div>
    ${hint && html`<p class="field__hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

export function Select({ label, value, onChange, options, ...rest }) {
  const id = useId('select');
  return html`<div class="field">
    <label class="field__label" for=${id}>${label}</label>
    <select id=${id} class="field__input field__select" value=${value} onChange=${(e) => onChange(e.currentTarget.value)} ...${rest}>
      ${options.map(([key, text]) => html`<option value=${key} selected=${key === value}>${text}</option>`)}
    </select>
  </div>`;
}

export function Button({ busy = false, busyLabel, children, variant = 'primary', type = 'submit', ...rest }) {
  return html`<button type=${type} class=${`button button--${variant}`} disabled=${busy} aria-busy=${busy ? 'true' : undefined} ...${rest}>
    ${busy && html`<span class="spinner" aria-hidden="true"></span>`}
    ${busy && busyLabel ? busyLabel : children}
  </button>`;
}

/** A message for the whole form or page; errors are announced at once. */
export function Alert({ tone = 'error', title, children }) {
  return html`<div class=${`alert alert--${tone}`} role=${tone === 'error' ? 'alert' : 'status'}>
    ${title && html`<p class="alert__title">${title}</p>`}
    <div>${children}</div>
  </div>`;
}

export function LanguagePicker() {
  const id = useId('lang');
  return html`<div class="lang">
    <label class="visually-hidden" for=${id}>${t('lang.label')}</label>
    <svg class="lang__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9" /><path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z" />
    </svg>
    <select id=${id} class="lang__select" value=${locale.value} onChange=${(e) => chooseLocale(e.currentTarget.value)}>
      ${LOCALES.map((code) => html`<option value=${code} selected=${code === locale.value}>${t(`lang.${code}`)}</option>`)}
    </select>
  </div>`;
}

/** Links every public page carries: help centre, platform status, language. */
export function PublicFooter() {
  return html`<footer class="public-footer">
    <nav aria-label=${t('nav.footer')} class="public-footer__links">
      <a href="/docs">${t('nav.help')}</a>
      <${Link} href="/status">${t('nav.status')}</${Link}>
    </nav>
    <${LanguagePicker} />
  </footer>`;
}

/** The heading a screen starts with: focused when the screen changes, so a screen reader
 * announces the new screen (not on the first page load: the form's field is first there). */
export function ScreenTitle({ children, class: extra = '' }) {
  const ref = useRef(null);
  useEffect(() => {
    if (moves.count > 0) ref.current?.focus({ preventScroll: true });
  }, []);
  return html`<h1 class=${`screen-title ${extra}`} tabindex="-1" ref=${ref}>${children}</h1>`;
}

/** The frame of signup, password and invitation pages: a centred card. */
export function PublicPage({ children, wide = false }) {
  return html`<div class="public">
    <header class="public__header"><${Logo} href="/login" /></header>
    <main id="main" class=${`public__main${wide ? ' public__main--wide' : ''}`}>
      <div class="card">${children}</div>
    </main>
    <${PublicFooter} />
  </div>`;
}

/** Sets the tab's title to ``title · Atiende``. */
export function useTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · Atiende` : 'Atiende';
  }, [title]);
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** A modal dialog (the native ``<dialog>``): the page behind is inert, Tab and Shift+Tab
 * stay inside, Escape closes it, and focus returns to what opened it. */
export function Dialog({ title, description, onClose, children, footer, size = 'md', labelledBy }) {
  const ref = useRef(null);
  const id = useId('dialog');
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    dialog.showModal();
    const first =
      dialog.querySelector('[autofocus]') || dialog.querySelector('.dialog__body')?.querySelector(FOCUSABLE) || dialog.querySelector(FOCUSABLE);
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);
  const onKeyDown = (event) => {
    if (event.key !== 'Tab') return;
    const items = [...ref.current.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    const [first, last] = [items[0], items[items.length - 1]];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };
  return html`<dialog
    ref=${ref}
    class=${`dialog dialog--${size}`}
    aria-labelledby=${labelledBy || `${id}-title`}
    aria-describedby=${description ? `${id}-text` : undefined}
    onCancel=${(event) => {
      event.preventDefault();
      onClose();
    }}
    onKeyDown=${onKeyDown}
  >
    <div class="dialog__head">
      <h2 class="dialog__title" id=${`${id}-title`}>${title}</h2>
      <button type="button" class="icon-button" aria-label=${t('dialog.close')} title=${t('dialog.close')} onClick=${onClose}>
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
      </button>
    </div>
    ${description && html`<p class="dialog__text" id=${`${id}-text`}>${description}</p>`}
    <div class="dialog__body">${children}</div>
    ${footer && html`<div class="dialog__foot">${footer}</div>`}
  </dialog>`;
}

/** The head of an area's page (administration, orders, analytics): the title (the tab's
 * too, focused on arrival so a screen reader hears where it is), an optional way back,
 * description and actions beside the title. */
export function PageHead({ title, description, actions, back }) {
  useTitle(title);
  const heading = useRef(null);
  useEffect(() => heading.current?.focus({ preventScroll: true }), [title]);
  return html`${back && html`<p class="admin__back"><${Link} href=${back.href}>← ${back.label}</${Link}></p>`}
    <div class="admin-head">
      <div class="admin-head__text">
        <h1 class="admin-head__title" tabindex="-1" ref=${heading}>${title}</h1>
        ${description && html`<p class="admin-head__description">${description}</p>`}
      </div>
      ${actions && html`<div class="admin-head__actions">${actions}</div>`}
    </div>`;
}
