// "Estado de la plataforma": GET /v1/status, each component and its state.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { formatDateTime } from '../format.js';
import { html } from '../html.js';
import { CATALOGS, t } from '../i18n.js';
import { Link } from '../router.js';
import { me } from '../session.js';
import { Alert, Button, PublicPage, ScreenTitle, useTitle } from '../ui.js';

function componentName(name) {
  const key = `status.component.${name}`;
  return key in CATALOGS.es ? t(key) : name;
}

export function StatusScreen() {
  useTitle(t('status.title'));
  const report = useSignal(null);
  const error = useSignal(null);
  const busy = useSignal(false);

  const check = async () => {
    busy.value = true;
    try {
      report.value = await api('GET', '/v1/status');
      error.value = null;
    } catch (failure) {
      // a platform with a component down answers 503 with the same report
      if (failure.body?.components) report.value = failure.body;
      else error.value = failure;
    } finally {
      busy.value = false;
    }
  };
  useEffect(() => {
    check();
  }, []);

  const status = report.value;
  return html`<${PublicPage} wide>
    <${ScreenTitle}>${t('status.title')}</${ScreenTitle}>
    <p class="lead">${t('status.intro')}</p>
    ${error.value && html`<${Alert}>${t('status.failed')} ${errorText(error.value)}</${Alert}>`}
    ${!status && !error.value && html`<p aria-busy="true">${t('app.loading')}</p>`}
    ${status &&
    html`<div class=${`status-banner status-banner--${status.status}`} role="status">
        <span class="status-dot" aria-hidden="true"></span>
        <div>
          <p class="status-banner__title">${status.status === 'ok' ? t('status.ok') : t('status.down')}</p>
          <p class="status-banner__time">${t('status.checkedAt', { when: formatDateTime(status.checked_at) })}</p>
        </div>
      </div>
      <ul class="components" aria-label=${t('status.title')}>
        ${status.components.map(
          (component) => html`<li class="component">
            <span class="component__name">${componentName(component.name)}</span>
            <span class="component__latency">${component.latency_ms == null ? '' : t('status.latency', { ms: Math.round(component.latency_ms) })}</span>
            <span class=${`state state--${component.state}`}>
              <span class="status-dot" aria-hidden="true"></span>${t(`status.state.${component.state}`)}
            </span>
          </li>`,
        )}
      </ul>`}
    <div class="card__actions">
      <${Button} type="button" variant="secondary" busy=${busy.value} onClick=${check}>${t('status.refresh')}</${Button}>
      ${!me.value && html`<${Link} href="/login">← ${t('status.back')}</${Link}>`}
    </div>
  </${PublicPage}>`;
}
