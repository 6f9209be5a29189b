// "Facturas": the account's invoices, newest first (GET /v1/billing/invoices, 20 a page,
// "Cargar más"), each with its number, period, amount, status and Stripe's own invoice
// page and PDF, opened in a new tab. The table is also the "Últimas facturas" card of
// "Facturación".
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { Alert } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, EmptyState, Loading, Section } from '../kit.js';
import { BACK, money, shortDay } from './common.js';

const TONE = { paid: 'ok', open: 'warn', void: 'neutral', uncollectible: 'danger', draft: 'neutral' };

export function InvoiceStatus({ status }) {
  const key = `billing.invoice.status.${status}`;
  const said = t(key);
  return html`<${Badge} tone=${TONE[status] ?? 'neutral'}>${said === key ? status : said}</${Badge}>`;
}

function period(invoice) {
  if (!invoice.period_start || !invoice.period_end || invoice.period_start === invoice.period_end) return shortDay(invoice.created_at);
  return `${shortDay(invoice.period_start)} – ${shortDay(invoice.period_end)}`;
}

/** The invoices as a table (a list of cards on a phone). */
export function InvoiceTable({ items }) {
  return html`<div class="bl-table-wrap">
    <table class="admin-table bl-invoices">
      <thead>
        <tr>
          <th scope="col">${t('billing.invoice.number')}</th>
          <th scope="col">${t('billing.invoice.date')}</th>
          <th scope="col">${t('billing.invoice.period')}</th>
          <th scope="col" class="bl-num">${t('billing.invoice.amount')}</th>
          <th scope="col">${t('billing.invoice.status')}</th>
          <th scope="col"><span class="visually-hidden">${t('billing.invoice.links')}</span></th>
        </tr>
      </thead>
      <tbody>
        ${items.map((invoice) => {
          const number = invoice.number || invoice.id;
          return html`<tr key=${invoice.id}>
            <td data-label=${t('billing.invoice.number')}><strong class="bl-invoices__number">${number}</strong></td>
            <td data-label=${t('billing.invoice.date')}>${shortDay(invoice.created_at)}</td>
            <td data-label=${t('billing.invoice.period')}>${period(invoice)}</td>
            <td data-label=${t('billing.invoice.amount')} class="bl-num">${money(invoice.total ?? invoice.amount_due, invoice.currency)}</td>
            <td data-label=${t('billing.invoice.status')}><${InvoiceStatus} status=${invoice.status} /></td>
            <td class="bl-invoices__links">
              ${invoice.hosted_invoice_url &&
              html`<a href=${invoice.hosted_invoice_url} target="_blank" rel="noopener noreferrer" class="button button--secondary button--compact" aria-label=${t('billing.invoice.viewOne', { number })}>
                ${t('billing.invoice.view')}
              </a>`}
              ${invoice.invoice_pdf &&
              html`<a href=${invoice.invoice_pdf} target="_blank" rel="noopener noreferrer" class="button button--quiet button--compact" aria-label=${t('billing.invoice.pdfOne', { number })}>
                ${t('billing.invoice.pdf')}
              </a>`}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

export function InvoicesScreen() {
  const state = useSignal({ items: [], next: null, loading: true, error: null, done: false });
  const load = async (cursor) => {
    state.value = { ...state.value, loading: true, error: null };
    try {
      const page = cursor
        ? await api('GET', `/v1/billing/invoices?limit=20&cursor=${encodeURIComponent(cursor)}`)
        : await api('GET', '/v1/billing/invoices?limit=20');
      state.value = { items: [...(cursor ? state.value.items : []), ...page.items], next: page.next_cursor, loading: false, error: null, done: true };
    } catch (error) {
      state.value = { ...state.value, loading: false, error };
    }
  };
  useEffect(() => {
    load(null);
  }, []);
  const { items, next, loading, error, done } = state.value;
  return html`<${AdminPage} title=${t('billing.invoices.title')} description=${t('billing.invoices.description')} back=${BACK()}>
    ${!done
      ? html`<${Loading} error=${error} onRetry=${() => load(null)} />`
      : html`<${Section} title=${t('billing.invoices.list')} id="billing-invoices">
          ${items.length === 0
            ? html`<${EmptyState} title=${t('billing.invoices.none')} text=${t('billing.invoices.noneText')} />`
            : html`<${InvoiceTable} items=${items} />`}
          ${error && html`<${Alert}>${errorText(error)}</${Alert}>`}
          ${next &&
          html`<p class="bl-more">
            <button type="button" class="button button--secondary" disabled=${loading} aria-busy=${loading ? 'true' : undefined} onClick=${() => load(next)}>
              ${loading && html`<span class="spinner" aria-hidden="true"></span>`}${t('billing.invoices.more')}
            </button>
          </p>`}
        </${Section}>`}
  </${AdminPage}>`;
}
