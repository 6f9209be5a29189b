// A dialog asking for a reason before an action that needs one (annul an order, reject a
// payment): the reason is required and goes with the request.
import { useSignal } from '@preact/signals';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Alert, Button, Dialog, useId } from '../ui.js';

/** Asks for a reason, then calls ``onConfirm(reason)`` (annul an order, reject a payment). */
export function ReasonDialog({ title, text, label, confirmLabel, onConfirm, onClose }) {
  const reason = useSignal('');
  const busy = useSignal(false);
  const error = useSignal(null);
  const tried = useSignal(false);
  const id = useId('reason');
  const go = async (event) => {
    event.preventDefault();
    tried.value = true;
    if (!reason.value.trim()) return;
    busy.value = true;
    error.value = null;
    try {
      await onConfirm(reason.value.trim());
      onClose();
    } catch (failure) {
      error.value = errorText(failure);
      busy.value = false;
    }
  };
  const missing = tried.value && !reason.value.trim();
  return html`<${Dialog} title=${title} description=${text} size="sm" onClose=${onClose}>
    <form class="admin-form" onSubmit=${go} noValidate>
      <div class=${`field${missing ? ' field--invalid' : ''}`}>
        <label class="field__label" for=${id}>${label}</label>
        <textarea id=${id} class="field__input od-reason" rows="3" maxlength="500" required value=${reason.value}
          aria-invalid=${missing ? 'true' : undefined} aria-describedby=${missing ? `${id}-error` : undefined}
          onInput=${(e) => (reason.value = e.currentTarget.value)}></textarea>
        ${missing && html`<p class="field__error" id=${`${id}-error`}>${t('orders.reasonNeeded')}</p>`}
      </div>
      ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
      <div class="admin-form__actions">
        <button type="button" class="button button--secondary" onClick=${onClose}>${t('orders.form.cancel')}</button>
        <${Button} variant="danger" busy=${busy.value}>${confirmLabel}</${Button}>
      </div>
    </form>
  </${Dialog}>`;
}
