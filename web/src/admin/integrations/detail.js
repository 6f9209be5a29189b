// /admin/integrations/<id>: one webhook: its settings, edit, pause or resume, a new
// secret (shown once), delete, and "send test" with the delivery log.
import { can } from '../../session.js';
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { formatDateTime } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { navigate } from '../../router.js';
import { Button } from '../../ui.js';
import { AdminPage } from '../layout.js';
import { ConfirmDialog, HistoryButton, Loading, Section } from '../kit.js';
import { useLoad } from '../kit.js';
import { Deliveries, OutcomeBadge } from './deliveries.js';
import { EVENT_GROUPS, hostOf, newSecret } from './events.js';
import { StateBadge } from './list.js';
import { SecretDialog } from './secret.js';
import { WebhookDialog } from './webhook-dialog.js';
import './integrations.css';

/** The events a webhook hears, by group. */
export function EventList({ events }) {
  return html`<ul class="integ-chips">
    ${EVENT_GROUPS.flatMap(([, names]) => names)
      .filter((event) => events.includes(event))
      .map((event) => html`<li class="integ-chip" title=${event}>${t(`integ.event.${event}`)}</li>`)}
  </ul>`;
}

/** Pause/resume, a new secret and delete, for the webhook or the bot page. */
export function useHookActions(hook, reload, { afterDelete, texts = 'integ' }) {
  // texts: 'integ' for a webhook, 'integ.bot' for the bot (its own words for the same acts)
  const secret = useSignal(null);
  const confirming = useSignal(null); // 'delete' | 'rotate'
  const busy = useSignal(false);
  const toggle = async () => {
    busy.value = true;
    try {
      await api('PATCH', `/v1/integrations/${hook.id}`, { active: !hook.active });
      tell(hook.active ? t(`${texts}.paused`) : t(`${texts}.resumed`));
      reload();
    } catch (failure) {
      tell(errorText(failure), 'error');
    } finally {
      busy.value = false;
    }
  };
  const rotate = async () => {
    const fresh = newSecret();
    await api('PATCH', `/v1/integrations/${hook.id}`, { secret: fresh });
    secret.value = fresh;
    reload();
  };
  const remove = async () => {
    await api('DELETE', `/v1/integrations/${hook.id}`);
    tell(t(`${texts}.deleted`));
    afterDelete();
  };
  const dialogs = html`
    ${confirming.value === 'rotate' &&
    html`<${ConfirmDialog}
      title=${t('integ.rotate.title')}
      text=${t('integ.rotate.text')}
      confirmLabel=${t('integ.rotate.confirm')}
      danger=${false}
      onConfirm=${rotate}
      onClose=${() => (confirming.value = null)}
    />`}
    ${confirming.value === 'delete' &&
    html`<${ConfirmDialog}
      title=${t(`${texts}.delete.title`)}
      text=${t(`${texts}.delete.text`, { url: hostOf(hook.url) })}
      confirmLabel=${t(`${texts}.delete.confirm`)}
      onConfirm=${remove}
      onClose=${() => (confirming.value = null)}
    />`}
    ${secret.value && html`<${SecretDialog} secret=${secret.value} onClose=${() => (secret.value = null)} />`}
  `;
  const buttons = html`
    <${Button} type="button" variant="secondary" busy=${busy.value} onClick=${toggle}>${hook.active ? t('integ.pause') : t('integ.resume')}</${Button}>
    <${Button} type="button" variant="secondary" onClick=${() => (confirming.value = 'rotate')}>${t('integ.rotate.button')}</${Button}>
    ${can('history.read') && html`<${HistoryButton} path=${`/v1/integrations/${hook.id}/history`} label=${hook.description || hook.url} />`}
    <${Button} type="button" variant="danger" onClick=${() => (confirming.value = 'delete')}>${t(`${texts}.delete.button`)}</${Button}>
  `;
  return { buttons, dialogs };
}

function Facts({ hook }) {
  return html`<dl class="integ-facts">
    <div><dt>${t('integ.form.url')}</dt><dd class="integ-mono integ-break">${hook.url}</dd></div>
    <div><dt>${t('integ.list.state')}</dt><dd><${StateBadge} active=${hook.active} /></dd></div>
    <div>
      <dt>${t('integ.list.last')}</dt>
      <dd>
        <${OutcomeBadge} status=${hook.last_status} />
        ${hook.last_delivery_at && html` <span class="admin-table__muted">${formatDateTime(hook.last_delivery_at)}</span>`}
        ${hook.last_error && html`<div class="admin-table__muted integ-error">${hook.last_error}</div>`}
      </dd>
    </div>
    <div><dt>${t('integ.secret.updated')}</dt><dd>${formatDateTime(hook.secret_updated_at)}</dd></div>
    <div class="integ-facts__wide"><dt>${t('integ.form.events')}</dt><dd><${EventList} events=${hook.events} /></dd></div>
  </dl>`;
}

function Loaded({ hook, reload }) {
  const editing = useSignal(false);
  const { buttons, dialogs } = useHookActions(hook, reload, { afterDelete: () => navigate('/admin/integrations') });
  const name = hook.description || hostOf(hook.url);
  return html`<${AdminPage}
    title=${name}
    description=${t('integ.detail.description')}
    back=${{ href: '/admin/integrations', label: t('integ.title') }}
    actions=${html`<${Button} type="button" onClick=${() => (editing.value = true)}>${t('integ.edit')}</${Button}>`}
  >
    <${Section} id="settings" class="integ-card" title=${t('integ.detail.settings')} actions=${buttons}>
      <${Facts} hook=${hook} />
    </${Section}>
    <${Deliveries} hookId=${hook.id} onChange=${reload} />
    ${dialogs}
    ${editing.value &&
    html`<${WebhookDialog}
      hook=${hook}
      onClose=${() => (editing.value = false)}
      onSaved=${() => {
        editing.value = false;
        tell(t('admin.saved'));
        reload();
      }}
    />`}
  </${AdminPage}>`;
}

export function IntegrationScreen({ id }) {
  const hook = useLoad(() => api('GET', `/v1/integrations/${id}`), id);
  if (!hook.data) {
    return html`<${AdminPage} title=${t('integ.title')} back=${{ href: '/admin/integrations', label: t('integ.title') }}>
      <${Loading} error=${hook.error} onRetry=${hook.reload} />
    </${AdminPage}>`;
  }
  return html`<${Loaded} hook=${hook.data} reload=${hook.reload} />`;
}
