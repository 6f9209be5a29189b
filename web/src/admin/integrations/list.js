// /admin/integrations: the account's outgoing webhooks (SPEC §4 "Integrations"): each
// one's address, events, state and latest delivery; a new one's secret is shown once.
import { useSignal } from '@preact/signals';
import { formatWhen } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { Link, navigate } from '../../router.js';
import { Button } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { Badge, EmptyState, Loading, Section } from '../kit.js';
import { api } from '../../api.js';
import { useLoad } from '../kit.js';
import { OutcomeBadge } from './deliveries.js';
import { BOT_EVENT, hostOf } from './events.js';
import { SecretDialog } from './secret.js';
import { WebhookDialog } from './webhook-dialog.js';
import './integrations.css';

const MAX = 10;
const HEADERS = `POST <URL>
Content-Type: application/json; charset=utf-8
X-Atiende-Event: ticket.created
X-Atiende-Delivery: <id>
X-Atiende-Timestamp: <unix>
X-Atiende-Signature: sha256=<HMAC-SHA256(secret, timestamp + "." + body)>`;

export function StateBadge({ active }) {
  return active ? html`<${Badge} tone="ok">${t('integ.state.active')}</${Badge}>` : html`<${Badge}>${t('integ.state.paused')}</${Badge}>`;
}

function Row({ hook }) {
  const name = hook.description || hostOf(hook.url);
  return html`<tr>
    <td data-label=${t('integ.list.webhook')}>
      <${Link} href=${`/admin/integrations/${hook.id}`} class="integ-name">${name}</${Link}>
      <div class="admin-table__muted integ-mono integ-url">${hostOf(hook.url)}</div>
    </td>
    <td data-label=${t('integ.list.eventsTitle')}>
      <span class="integ-count">${t('integ.list.events', { n: hook.events.length })}</span>
      ${hook.events.includes(BOT_EVENT) && html` <${Badge} tone="info">${t('integ.list.bot')}</${Badge}>`}
    </td>
    <td data-label=${t('integ.list.state')}><${StateBadge} active=${hook.active} /></td>
    <td data-label=${t('integ.list.last')}>
      <${OutcomeBadge} status=${hook.last_status} />
      ${hook.last_delivery_at && html`<span class="admin-table__muted"> ${formatWhen(hook.last_delivery_at)}</span>`}
      ${hook.last_response_code && html`<span class="admin-table__muted"> · ${hook.last_response_code}</span>`}
    </td>
    <td class="admin-table__actions">
      <${Link} href=${`/admin/integrations/${hook.id}`} class="button integ-quiet" aria-label=${t('integ.list.openNamed', { name })}>${t('integ.list.open')}</${Link}>
    </td>
  </tr>`;
}

export function IntegrationsScreen() {
  const hooks = useLoad(() => api('GET', '/v1/integrations?limit=100'), '');
  const adding = useSignal(false);
  const created = useSignal(null);
  const items = hooks.data?.items;
  const full = (items?.length ?? 0) >= MAX;
  const add = html`<${Button} type="button" onClick=${() => (adding.value = true)} disabled=${full} title=${full ? t('integ.list.full') : undefined}>${t('integ.list.add')}</${Button}>`;

  let body;
  if (!items) body = html`<${Loading} error=${hooks.error} onRetry=${hooks.reload} />`;
  else if (!items.length) {
    body = html`<${Section} id="webhooks" class="integ-card" title=${t('integ.list.title')}>
      <${EmptyState} title=${t('integ.list.emptyTitle')} text=${t('integ.list.emptyText')} action=${add} />
    </${Section}>`;
  } else {
    body = html`<${Section} id="webhooks" class="integ-card" title=${t('integ.list.title')}>
      <div class="admin-table-wrap">
        <table class="admin-table integ-stack">
          <thead>
            <tr>
              <th scope="col">${t('integ.list.webhook')}</th>
              <th scope="col">${t('integ.list.eventsTitle')}</th>
              <th scope="col">${t('integ.list.state')}</th>
              <th scope="col">${t('integ.list.last')}</th>
              <th scope="col"><span class="visually-hidden">${t('integ.list.actions')}</span></th>
            </tr>
          </thead>
          <tbody>${items.map((hook) => html`<${Row} key=${hook.id} hook=${hook} />`)}</tbody>
        </table>
      </div>
      <p class="integ-note">${t('integ.list.limit', { n: items.length, max: MAX })}</p>
    </${Section}>`;
  }

  return html`<${AdminPage} title=${t('integ.title')} description=${t('integ.description')} actions=${items?.length ? add : null}>
    ${body}
    <${Section} id="how" class="integ-card" title=${t('integ.how.title')}>
      <p class="integ-note">${t('integ.how.text')}</p>
      <pre class="integ-code-block" tabindex="0" aria-label=${t('integ.how.headers')}><code>${HEADERS}</code></pre>
    </${Section}>
    ${adding.value &&
    html`<${WebhookDialog}
      hook=${null}
      onClose=${() => (adding.value = false)}
      onSaved=${(answer) => {
        adding.value = false;
        created.value = answer;
      }}
    />`}
    ${created.value &&
    html`<${SecretDialog}
      secret=${created.value.secret}
      onClose=${() => {
        const id = created.value.id;
        created.value = null;
        navigate(`/admin/integrations/${id}`);
      }}
    />`}
  </${AdminPage}>`;
}
