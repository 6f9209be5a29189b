// What the help desk's settings pages share: a whole list read page by page, the save of
// a form (its busy state, its error and each field's), an editing dialog, row buttons.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { Alert, Button, Dialog, useId } from '../../ui.js';
import { can } from '../../session.js';
import { HistoryButton } from '../kit.js';
import './desk.css';

/** Every item of a paged list: ``first()`` reads the first page, ``next(cursor)`` the
 * others (each an api() call with its own literal path). {items, error, reload, set}. */
export function useAll(first, next, max = 1000) {
  const state = useSignal({ items: null, error: null });
  const tick = useSignal(0);
  useEffect(() => {
    let live = true;
    (async () => {
      const items = [];
      let page = await first();
      items.push(...page.items);
      while (page.next_cursor && items.length < max) {
        page = await next(page.next_cursor);
        items.push(...page.items);
      }
      return items;
    })().then(
      (items) => live && (state.value = { items, error: null }),
      (error) => live && (state.value = { items: state.value.items, error }),
    );
    return () => {
      live = false;
    };
  }, [tick.value]);
  return {
    ...state.value,
    reload: () => (tick.value += 1),
    /** Replaces the list at once (after a save), before the next read confirms it. */
    set: (items) => (state.value = { items, error: null }),
  };
}

/** Keeps the list sorted: ``item`` added or put in place of the one with its id. */
export function upsert(items, item, key) {
  const others = (items || []).filter((i) => i.id !== item.id);
  return [...others, item].sort((a, b) => key(a).localeCompare(key(b), undefined, { sensitivity: 'base' }));
}

/** A form's save: ``run(async () => ...)`` shows the API's error and its fields' errors. */
export function useSave() {
  const busy = useSignal(false);
  const problem = useSignal(null);
  const errors = useSignal({});
  return {
    busy: busy.value,
    problem: problem.value,
    errors: errors.value,
    clear(field) {
      if (errors.value[field]) errors.value = { ...errors.value, [field]: undefined };
    },
    fail(found) {
      errors.value = found;
      problem.value = null;
    },
    async run(task) {
      busy.value = true;
      problem.value = null;
      errors.value = {};
      try {
        return await task();
      } catch (error) {
        const found = fieldErrors(error);
        if (error.code === 'name_taken') {
          for (const field of Object.keys(found)) found[field] = t('desk.taken');
        }
        errors.value = found;
        problem.value = Object.keys(found).length ? t('desk.checkFields') : errorText(error, 'desk');
        return null;
      } finally {
        busy.value = false;
      }
    },
  };
}

/** A dialog holding one form: Cancel and the save button in its foot. */
/** ``history``: {path, label} of an item being edited: its "Historial" (roles with history.read). */
export function FormDialog({ title, description, size = 'md', save, saveLabel, onSubmit, onClose, children, history }) {
  const formId = useId('desk-form');
  return html`<${Dialog}
    title=${title}
    description=${description}
    size=${size}
    onClose=${onClose}
    footer=${html`
      ${history && can('history.read') && html`<span class="dialog-history"><${HistoryButton} path=${history.path} label=${history.label} /></span>`}
      <button type="button" class="button button--secondary" onClick=${onClose}>${t('admin.cancel')}</button>
      <${Button} type="submit" form=${formId} busy=${save.busy} busyLabel=${t('desk.saving')}>${saveLabel || t('admin.save')}</${Button}>
    `}
  >
    <form id=${formId} class="dk-form" noValidate onSubmit=${(event) => {
      event.preventDefault();
      onSubmit();
    }}>
      ${save.problem && html`<${Alert}>${save.problem}</${Alert}>`}
      ${children}
    </form>
  </${Dialog}>`;
}

const ICONS = {
  edit: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M5 7h14M10 7V5h4v2M7 7l1 13h8l1-13M10 11v6M14 11v6',
  plus: 'M12 5v14M5 12h14',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM20 20l-4-4',
  clip: 'M19 11.5l-7 7a4.5 4.5 0 0 1-6.4-6.4l7.5-7.5a3 3 0 0 1 4.2 4.2l-7.4 7.4a1.5 1.5 0 0 1-2.1-2.1L14.5 7.5',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  close: 'M6 6l12 12M18 6L6 18',
  up: 'M12 19V5M6 11l6-6 6 6',
  down: 'M12 5v14M6 13l6 6 6-6',
  eye: 'M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
};

export function DeskIcon({ name }) {
  return html`<svg class="dk-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${ICONS[name]} /></svg>`;
}

/** An icon button of a table's row, named for the row: "Editar «ventas»". */
export function RowButton({ icon, label, onClick, danger = false }) {
  return html`<button type="button" class=${`icon-button icon-button--sm${danger ? ' icon-button--danger' : ''}`} aria-label=${label} title=${label} onClick=${onClick}>
    <${DeskIcon} name=${icon} />
  </button>`;
}

/** The button of a page's head or a card that opens the "new" dialog. */
export function AddButton({ label, onClick, variant = 'primary' }) {
  return html`<button type="button" class=${`button button--${variant}`} onClick=${onClick}><${DeskIcon} name="plus" />${label}</button>`;
}

/** A search box filtering a list already loaded. */
export function SearchBox({ label, value, onInput }) {
  const id = useId('desk-search');
  return html`<div class="dk-search">
    <label class="visually-hidden" for=${id}>${label}</label>
    <${DeskIcon} name="search" />
    <input id=${id} type="search" class="field__input dk-search__input" placeholder=${label} value=${value} onInput=${(e) => onInput(e.currentTarget.value)} />
  </div>`;
}

/** A labelled multi-line text, with its hint and error tied to it. */
export function TextArea({ label, value, onInput, error, hint, rows = 4, inputRef, ...rest }) {
  const id = useId('desk-text');
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return html`<div class=${`field${error ? ' field--invalid' : ''}`}>
    <label class="field__label" for=${id}>${label}</label>
    <textarea
      id=${id}
      ref=${inputRef}
      class="field__input dk-textarea"
      rows=${rows}
      value=${value}
      onInput=${(e) => onInput(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined}
      aria-describedby=${described}
      ...${rest}
    ></textarea>
    ${hint && html`<p class="field__hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

/** Runs a DELETE; one already deleted (404: someone else was quicker) counts as done. */
export async function deleted(call) {
  try {
    await call();
  } catch (error) {
    if (error.status !== 404) throw error;
  }
}
