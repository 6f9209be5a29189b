// An order's payments (docs/orders.md "The state machines"): each with its amount, method,
// reference, day, status and proof (an image shown inline, a PDF as a link, both through
// GET .../proof, a presigned URL). "Registrar pago" for payments.record on an open order;
// "Conciliar", "Rechazar" (a reason) and "Reabrir" only for payments.reconcile.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { tell } from '../notice.js';
import { can } from '../session.js';
import { Alert, Button, Dialog, Field, Select, useId } from '../ui.js';
import { ConfirmDialog, EmptyState, Section } from '../admin/kit.js';
import { dayOf, PAYMENT_METHODS, PaymentBadge, personName, today, upload, when } from './common.js';
import { ReasonDialog } from './reason.js';
import { SignedImage } from './image.js';
import { formatMoney, moneyInput, parseMoney } from './money.js';
import { PROOF_ACCEPT } from './upload.js';

/** The proof of a payment: an image inline, anything else a link (a fresh presigned URL). */
function Proof({ order, payment }) {
  const url = useSignal(null);
  const failed = useSignal(false);
  useEffect(() => {
    api('GET', `/v1/orders/${order.number}/payments/${payment.id}/proof`).then(
      (answer) => (url.value = answer.url),
      () => (failed.value = true),
    );
  }, [payment.id]);
  const { proof } = payment;
  if (failed.value) return html`<span class="admin-table__muted">${t('orders.proof.unavailable')}</span>`;
  if (!url.value) return html`<span class="admin-table__muted">${t('orders.proof.loading')}</span>`;
  if (proof.content_type.startsWith('image/')) {
    return html`<a href=${url.value} target="_blank" rel="noopener noreferrer" class="op-proof op-proof--image" aria-label=${t('orders.proof.open', { name: proof.name })}>
      <${SignedImage} src=${url.value} alt=${t('orders.proof.alt', { name: proof.name })}
        fallback=${html`<span class="op-proof__wait">${t('orders.proof.loading')}</span>`} />
    </a>`;
  }
  return html`<a href=${url.value} target="_blank" rel="noopener noreferrer" class="op-proof op-proof--file">
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M7 3h7l5 5v13H7z" /><path d="M14 3v5h5" /></svg>
    ${t('orders.proof.file', { name: proof.name })}
  </a>`;
}

function PaymentItem({ order, payment, onChange }) {
  const dialog = useSignal(null);
  const busy = useSignal(false);
  const money = formatMoney(payment.amount, payment.currency || order.currency);
  const reconciler = can('payments.reconcile');
  const summaryId = `payment-${payment.id}`;
  const reopen = async () => {
    busy.value = true;
    try {
      await api('POST', `/v1/orders/${order.number}/payments/${payment.id}/reopen`);
      tell(t('orders.payment.reopened'));
      await onChange();
    } catch (error) {
      tell(errorText(error), 'error');
    } finally {
      busy.value = false;
    }
  };
  return html`<li class=${`op-item op-item--${payment.status}`} aria-labelledby=${summaryId}>
    <div class="op-item__main">
      <p class="op-item__head" id=${summaryId}>
        <strong class="op-item__amount">${money}</strong>
        <span class="op-item__method">${t(`orders.method.${payment.method}`)}</span>
        <span class="visually-hidden">, </span>
        <${PaymentBadge} status=${payment.status} />
      </p>
      <dl class="op-item__facts">
        <div><dt>${t('orders.payment.paidOn')}</dt><dd>${dayOf(payment.paid_on)}</dd></div>
        ${payment.reference && html`<div><dt>${t('orders.payment.reference')}</dt><dd>${payment.reference}</dd></div>`}
        <div><dt>${t('orders.payment.recorded')}</dt><dd>${t('orders.byWhen', { name: personName(payment.recorded_by, payment.recorded_by_name), when: when(payment.recorded_at) })}</dd></div>
        ${payment.settled_at &&
        html`<div><dt>${t(payment.status === 'rejected' ? 'orders.payment.rejectedBy' : 'orders.payment.settledBy')}</dt>
          <dd>${t('orders.byWhen', { name: personName(payment.settled_by, payment.settled_by_name), when: when(payment.settled_at) })}</dd></div>`}
        ${payment.rejection_reason && html`<div class="op-item__reason"><dt>${t('orders.payment.reason')}</dt><dd>${payment.rejection_reason}</dd></div>`}
      </dl>
    </div>
    <div class="op-item__side">
      ${payment.proof ? html`<${Proof} order=${order} payment=${payment} />` : html`<span class="admin-table__muted">${t('orders.proof.none')}</span>`}
      ${reconciler &&
      html`<div class="op-item__actions">
        ${payment.status === 'pending' &&
        html`<button type="button" class="button button--primary button--compact" aria-describedby=${summaryId} onClick=${() => (dialog.value = 'reconcile')}>${t('orders.payment.reconcile')}</button>
          <button type="button" class="button button--secondary button--compact" aria-describedby=${summaryId} onClick=${() => (dialog.value = 'reject')}>${t('orders.payment.reject')}</button>`}
        ${payment.status === 'rejected' &&
        html`<${Button} type="button" variant="secondary" class="button button--secondary button--compact" aria-describedby=${summaryId} busy=${busy.value} onClick=${reopen}>${t('orders.payment.reopen')}</${Button}>`}
      </div>`}
    </div>
    ${dialog.value === 'reconcile' &&
    html`<${ConfirmDialog}
      title=${t('orders.payment.reconcileTitle', { amount: money })}
      text=${t('orders.payment.reconcileText')}
      confirmLabel=${t('orders.payment.reconcile')}
      danger=${false}
      onConfirm=${async () => {
        await api('POST', `/v1/orders/${order.number}/payments/${payment.id}/reconcile`);
        tell(t('orders.payment.reconciled'));
        await onChange();
      }}
      onClose=${() => (dialog.value = null)}
    />`}
    ${dialog.value === 'reject' &&
    html`<${ReasonDialog}
      title=${t('orders.payment.rejectTitle', { amount: money })}
      text=${t('orders.payment.rejectText')}
      label=${t('orders.payment.reason')}
      confirmLabel=${t('orders.payment.reject')}
      onConfirm=${async (reason) => {
        await api('POST', `/v1/orders/${order.number}/payments/${payment.id}/reject`, { reason });
        tell(t('orders.payment.rejected'));
        await onChange();
      }}
      onClose=${() => (dialog.value = null)}
    />`}
  </li>`;
}

/** "Registrar pago": amount, method, reference, day and an optional proof. */
function RecordDialog({ order, onClose, onDone }) {
  // what is still owed, once the pending payments land
  const owed = order.balance - order.pending;
  const amount = useSignal(owed > 0 ? moneyInput(owed, order.currency) : '');
  const method = useSignal('transfer');
  const reference = useSignal('');
  const paidOn = useSignal(today());
  const proof = useSignal({ state: 'none', file: null, error: null });
  const tried = useSignal(false);
  const busy = useSignal(false);
  const failure = useSignal(null);
  const fileId = useId('proof');

  const value = parseMoney(amount.value, order.currency);
  const badAmount = value === null || value <= 0;
  const choose = async (file) => {
    if (!file) return;
    proof.value = { state: 'uploading', file: null, error: null, name: file.name };
    try {
      proof.value = { state: 'done', file: await upload(file), error: null, name: file.name };
    } catch (error) {
      proof.value = { state: 'failed', file: null, error: errorText(error), name: file.name };
    }
  };
  const submit = async (event) => {
    event.preventDefault();
    tried.value = true;
    if (badAmount || !paidOn.value || proof.value.state === 'uploading') return;
    busy.value = true;
    failure.value = null;
    const body = { amount: value, method: method.value, paid_on: paidOn.value };
    if (reference.value.trim()) body.reference = reference.value.trim();
    if (proof.value.state === 'done') body.proof = proof.value.file;
    try {
      await api('POST', `/v1/orders/${order.number}/payments`, body);
      tell(t('orders.payment.recordedNotice'));
      onClose();
      await onDone();
    } catch (error) {
      failure.value = errorText(error);
      busy.value = false;
    }
  };
  return html`<${Dialog} title=${t('orders.payment.record')} description=${t('orders.payment.recordText', { reference: order.reference })} onClose=${onClose}>
    <form class="admin-form" onSubmit=${submit} noValidate>
      <${Field} label=${t('orders.payment.amountOf', { currency: order.currency })} value=${amount.value} inputmode="decimal" onInput=${(v) => (amount.value = v)}
        error=${tried.value && badAmount ? t('orders.payment.badAmount') : null}
        hint=${value ? formatMoney(value, order.currency) : null} />
      <${Select} label=${t('orders.payment.method')} value=${method.value} onChange=${(v) => (method.value = v)}
        options=${PAYMENT_METHODS.map((m) => [m, t(`orders.method.${m}`)])} />
      <${Field} label=${t('orders.payment.referenceOptional')} required=${false} maxlength="200" value=${reference.value} onInput=${(v) => (reference.value = v)} />
      <${Field} label=${t('orders.payment.paidOn')} type="date" value=${paidOn.value} onInput=${(v) => (paidOn.value = v)}
        error=${tried.value && !paidOn.value ? t('orders.payment.needDay') : null} />
      <div class="field">
        <label class="field__label" for=${fileId}>${t('orders.payment.proof')}</label>
        <input id=${fileId} type="file" class="op-file" accept=${PROOF_ACCEPT} onChange=${(e) => choose(e.currentTarget.files[0])} />
        <p class="field__hint" role="status">
          ${proof.value.state === 'uploading' && t('orders.upload.uploading', { name: proof.value.name })}
          ${proof.value.state === 'done' && t('orders.upload.done', { name: proof.value.name })}
          ${proof.value.state === 'none' && t('orders.payment.proofHint')}
        </p>
        ${proof.value.error && html`<p class="field__error">${proof.value.error}</p>`}
      </div>
      ${failure.value && html`<${Alert}>${failure.value}</${Alert}>`}
      <div class="admin-form__actions">
        <button type="button" class="button button--secondary" onClick=${onClose}>${t('orders.form.cancel')}</button>
        <${Button} busy=${busy.value} disabled=${proof.value.state === 'uploading'}>${t('orders.payment.recordButton')}</${Button}>
      </div>
    </form>
  </${Dialog}>`;
}

export function Payments({ order, onChange }) {
  const recording = useSignal(false);
  const payments = order.payments || [];
  const mayRecord = can('payments.record') && order.status === 'open';
  const actions = mayRecord
    ? html`<button type="button" class="button button--primary" onClick=${() => (recording.value = true)}>${t('orders.payment.record')}</button>`
    : null;
  return html`<${Section} title=${t('orders.payments.title')} id="order-payments" actions=${actions}>
    ${payments.length === 0
      ? html`<${EmptyState} title=${t('orders.payments.empty')} text=${mayRecord ? t('orders.payments.emptyText') : null} />`
      : html`<ul class="op-list" aria-label=${t('orders.payments.title')}>
          ${payments.map((payment) => html`<${PaymentItem} key=${payment.id} order=${order} payment=${payment} onChange=${onChange} />`)}
        </ul>`}
    ${recording.value && html`<${RecordDialog} order=${order} onClose=${() => (recording.value = false)} onDone=${onChange} />`}
  </${Section}>`;
}
