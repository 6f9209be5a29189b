// The signing secret, shown once (after a create or a new secret): a copy button and a
// warning that it cannot be seen again.
import { useSignal } from '@preact/signals';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { Alert, Button, Dialog, useId } from '../../ui.js';

export function SecretDialog({ secret, onClose }) {
  const copied = useSignal(false);
  const id = useId('secret');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      copied.value = true;
    } catch {
      document.getElementById(id)?.select();
    }
  };
  return html`<${Dialog}
    title=${t('integ.secret.title')}
    size="lg"
    onClose=${onClose}
    footer=${html`<${Button} type="button" onClick=${onClose}>${t('integ.secret.done')}</${Button}>`}
  >
    <${Alert} tone="warning" title=${t('integ.secret.onceTitle')}>${t('integ.secret.once')}</${Alert}>
    <div class="field integ-secret">
      <label class="field__label" for=${id}>${t('integ.secret.label')}</label>
      <div class="integ-secret__row">
        <input id=${id} class="field__input integ-mono" readonly value=${secret} onFocus=${(e) => e.currentTarget.select()} />
        <${Button} type="button" variant="secondary" onClick=${copy}>${copied.value ? t('integ.secret.copied') : t('integ.secret.copy')}</${Button}>
      </div>
      <p class="field__hint" role="status">${copied.value ? t('integ.secret.copiedHint') : t('integ.secret.hint')}</p>
    </div>
  </${Dialog}>`;
}
