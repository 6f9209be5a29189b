// A webhook's "send test" and its delivery log: one line per attempt (newest first), its
// outcome, the answer's code or what went wrong, the attempt number and how long it took.
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { formatDateTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Button } from '../../ui.js';
import { Badge, EmptyState, Loading, Section } from '../kit.js';

const PAGE = 20;
const TONES = { delivered: 'ok', retrying: 'warn', failed: 'danger' };

export function OutcomeBadge({ status }) {
  if (!status) return html`<${Badge}>${t('integ.status.none')}</${Badge}>`;
  return html`<${Badge} tone=${TONES[status]}>${t(`integ.status.${status}`)}</${Badge}>`;
}

function eventName(event) {
  const key = `integ.event.${event}`;
  const text = t(key);
  return text === key ? event : text;
}

function Line({ item }) {
  return html`<tr>
    <td data-label=${t('integ.log.status')}><${OutcomeBadge} status=${item.status} /></td>
    <td data-label=${t('integ.log.event')}>
      <div>${eventName(item.event)}</div>
      <div class="admin-table__muted integ-mono" title=${t('integ.log.deliveryId')}>${item.delivery_id.slice(0, 8)}</div>
    </td>
    <td data-label=${t('integ.log.code')}>
      ${item.response_code ? html`<span class="integ-code">${item.response_code}</span>` : html`<span class="admin-table__muted">—</span>`}
      ${item.error && html`<div class="admin-table__muted integ-error">${item.error}</div>`}
    </td>
    <td data-label=${t('integ.log.attempt')}>${item.attempt > 1 ? t('integ.log.retry', { n: item.attempt - 1 }) : t('integ.log.first')}</td>
    <td class="admin-table__muted" data-label=${t('integ.log.duration')}>${item.duration_ms != null ? `${item.duration_ms} ms` : '—'}</td>
    <td class="admin-table__muted" data-label=${t('integ.log.at')}><time datetime=${item.at}>${formatDateTime(item.at)}</time></td>
  </tr>`;
}

/** The log of webhook ``hookId`` and its "send test" button; ``onChange`` after a test
 * lands (the webhook's latest outcome changed). */
export function Deliveries({ hookId, onChange }) {
  const items = useSignal(null);
  const next = useSignal(null);
  const error = useSignal(null);
  const testing = useSignal(false);
  const waiting = useRef(null);

  const read = (cursor) =>
    cursor
      ? api('GET', `/v1/integrations/${hookId}/deliveries?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`)
      : api('GET', `/v1/integrations/${hookId}/deliveries?limit=${PAGE}`);
  const reload = async () => {
    try {
      const page = await read(null);
      items.value = page.items;
      next.value = page.next_cursor;
      error.value = null;
      return page.items;
    } catch (failure) {
      error.value = failure;
      return [];
    }
  };
  const more = async () => {
    try {
      const page = await read(next.value);
      items.value = [...items.value, ...page.items];
      next.value = page.next_cursor;
    } catch (failure) {
      tell(errorText(failure), 'error');
    }
  };
  useEffect(() => {
    reload();
    return () => clearTimeout(waiting.current);
  }, [hookId]);

  const sendTest = async () => {
    testing.value = true;
    try {
      const sent = await api('POST', `/v1/integrations/${hookId}/test`);
      tell(t('integ.test.queued'));
      const deadline = Date.now() + 45_000;
      const look = async () => {
        const found = await reload();
        if (found.some((line) => line.delivery_id === sent.delivery_id)) {
          testing.value = false;
          onChange?.();
        } else if (Date.now() < deadline) {
          waiting.current = setTimeout(look, 1500);
        } else {
          testing.value = false;
        }
      };
      waiting.current = setTimeout(look, 800);
    } catch (failure) {
      testing.value = false;
      tell(errorText(failure), 'error');
    }
  };

  const actions = html`
    <button type="button" class="button integ-quiet" onClick=${reload}>${t('integ.log.refresh')}</button>
    <${Button} type="button" variant="secondary" busy=${testing.value} busyLabel=${t('integ.test.sending')} onClick=${sendTest}>${t('integ.test.send')}</${Button}>
  `;
  let body;
  if (items.value === null) body = html`<${Loading} error=${error.value} onRetry=${reload} />`;
  else if (!items.value.length) body = html`<${EmptyState} title=${t('integ.log.emptyTitle')} text=${t('integ.log.emptyText')} />`;
  else {
    body = html`<div class="admin-table-wrap">
        <table class="admin-table integ-log integ-stack">
          <caption class="visually-hidden">${t('integ.log.title')}</caption>
          <thead>
            <tr>
              <th scope="col">${t('integ.log.status')}</th>
              <th scope="col">${t('integ.log.event')}</th>
              <th scope="col">${t('integ.log.code')}</th>
              <th scope="col">${t('integ.log.attempt')}</th>
              <th scope="col">${t('integ.log.duration')}</th>
              <th scope="col">${t('integ.log.at')}</th>
            </tr>
          </thead>
          <tbody>${items.value.map((item) => html`<${Line} key=${`${item.delivery_id}-${item.attempt}-${item.at}`} item=${item} />`)}</tbody>
        </table>
      </div>
      ${next.value && html`<p class="integ-more"><button type="button" class="button button--secondary" onClick=${more}>${t('integ.log.more')}</button></p>`}`;
  }
  return html`<${Section} id="deliveries" class="integ-card" title=${t('integ.log.title')} actions=${actions}>
    <p class="integ-note">${t('integ.log.text')}</p>
    ${body}
  </${Section}>`;
}
