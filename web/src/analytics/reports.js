// "Reportes" (/analytics/reports; docs/analytics.md "Reports"): the company's latest
// reports of the kinds the person may read (GET /v1/reports) and, for who may make one
// (reports.conversations, reports.payments), the form: kind, format, days, person, channel
// and status; "Generar" asks for it (POST /v1/reports, 202) and the list follows it
// (GET /v1/reports/{id} every 2 s) until it is done or failed. "Descargar" opens the file's
// address, asked for again when it is older than 10 minutes (it lasts 15).
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText, fieldErrors } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { can } from '../session.js';
import { Alert, Button } from '../ui.js';
import { Badge, EmptyState, Loading, Section } from '../admin/kit.js';
import { AnalyticsPage, channels, count, dayLabel, loadChannels, loadTeam, team, when } from './common.js';
import { mayGenerateReports } from './pages.js';
import { PeriodPicker, periodOf } from './period.js';

/** How often an unfinished report is asked about. */
export const POLL_MS = 2_000;
/** A download address older than this is asked for again (the API's last 15 minutes). */
export const FRESH_MS = 10 * 60_000;

const KINDS = [
  ['conversations', 'reports.conversations'],
  ['payments', 'reports.payments'],
];
const STATUSES = {
  conversations: ['open', 'pending', 'closed', 'escalated', 'merged'],
  payments: ['pending', 'reconciled', 'rejected'],
};
const FORMATS = ['csv', 'xlsx'];
const STATE_TONES = { queued: 'neutral', running: 'info', done: 'ok', failed: 'danger' };
const unfinished = (report) => report.state === 'queued' || report.state === 'running';
/** A report as the API answered it, with when this page got it (its address's age). */
const received = (report) => ({ ...report, receivedAt: Date.now() });

function Choice({ id, label, value, options, onChange, error }) {
  return html`<div class="an-filter">
    <label class="an-filter__label" for=${id}>${label}</label>
    <select id=${id} class="field__input field__select" value=${value} aria-invalid=${error ? 'true' : undefined} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${options.map(([key, text]) => html`<option value=${key} selected=${key === value}>${text}</option>`)}
    </select>
    ${error && html`<p class="field__error">${error}</p>`}
  </div>`;
}

function ReportForm({ onMade, onRefused }) {
  const kinds = KINDS.filter(([, action]) => can(action)).map(([kind]) => kind);
  const form = useSignal({ kind: kinds[0], format: 'csv', from: '', to: '', agent: '', channel: '', status: '' });
  const busy = useSignal(false);
  const error = useSignal(null);
  const values = form.value;
  const period = periodOf(values.from, values.to);
  const set = (changes) => (form.value = { ...form.value, ...changes });
  const fields = error.value ? fieldErrors(error.value) : {};
  const all = ['', t('analytics.report.any')];

  const submit = async (event) => {
    event.preventDefault();
    if (period.problem || busy.value) return;
    busy.value = true;
    error.value = null;
    const kind = values.kind;
    const format = values.format;
    const from = period.from;
    const to = period.to;
    const agent = values.agent || null;
    const channel = values.channel || null;
    const status = values.status || null;
    try {
      const report = await api('POST', '/v1/reports', { kind, format, from, to, agent, channel, status });
      onMade(received(report));
    } catch (failure) {
      error.value = failure;
      // a report the queue did not take is kept as failed (details.report_id): list it
      if (failure.code === 'not_queued') onRefused();
    } finally {
      busy.value = false;
    }
  };

  return html`<${Section} title=${t('analytics.report.new')} id="an-report-new" class="an-card">
    <form class="an-report-form" onSubmit=${submit} noValidate>
      <div class="an-report-form__row">
        <${Choice} id="rp-kind" label=${t('analytics.report.kind')} value=${values.kind}
          options=${kinds.map((kind) => [kind, t(`analytics.report.kind.${kind}`)])}
          onChange=${(kind) => set({ kind, status: '' })} error=${fields.kind} />
        <fieldset class="an-toggle">
          <legend class="an-filter__label">${t('analytics.report.format')}</legend>
          <div class="an-toggle__options">
            ${FORMATS.map(
              (format) => html`<label class=${`an-toggle__option${values.format === format ? ' an-toggle__option--on' : ''}`}>
                <input type="radio" name="rp-format" value=${format} checked=${values.format === format} onChange=${() => set({ format })} />
                ${format.toUpperCase()}
              </label>`,
            )}
          </div>
        </fieldset>
      </div>
      <${PeriodPicker} idPrefix="rp" period=${period} onChange=${(from, to) => set({ from, to })} />
      <div class="an-report-form__row">
        ${team.value.length > 0 &&
        html`<${Choice} id="rp-agent" label=${t('analytics.report.agent')} value=${values.agent}
          options=${[all, ...team.value.map((person) => [person.id, person.name])]} onChange=${(agent) => set({ agent })} error=${fields.agent} />`}
        ${channels.value.length > 0 &&
        html`<${Choice} id="rp-channel" label=${t('analytics.report.channel')} value=${values.channel}
          options=${[all, ...channels.value.map((c) => [c.id, c.label])]} onChange=${(channel) => set({ channel })} error=${fields.channel} />`}
        <${Choice} id="rp-status" label=${t('analytics.report.status')} value=${values.status}
          options=${[all, ...STATUSES[values.kind].map((s) => [s, t(`analytics.report.status.${values.kind}.${s}`)])]}
          onChange=${(status) => set({ status })} error=${fields.status} />
      </div>
      ${error.value && html`<${Alert}>${errorText(error.value)}</${Alert}>`}
      <div class="an-report-form__actions">
        <${Button} busy=${busy.value} disabled=${Boolean(period.problem)}>${t('analytics.report.generate')}</${Button}>
      </div>
    </form>
  </${Section}>`;
}

function StateBadge({ report }) {
  const done = report.rows === 1 ? t('analytics.report.state.doneRow') : t('analytics.report.state.doneRows', { n: count(report.rows ?? 0) });
  const text = report.state === 'done' ? done : t(`analytics.report.state.${report.state}`);
  return html`<span class="an-state">
    <${Badge} tone=${STATE_TONES[report.state] ?? 'neutral'}>${unfinished(report) && html`<span class="spinner spinner--small" aria-hidden="true"></span>`}${text}</${Badge}>
  </span>`;
}

function filtersText(report) {
  const filters = report.filters || {};
  const parts = [];
  if (filters.agent) parts.push(team.value.find((p) => p.id === filters.agent)?.name ?? t('analytics.report.onePerson'));
  if (filters.channel) parts.push(channels.value.find((c) => c.id === filters.channel)?.label ?? t('analytics.report.oneChannel'));
  if (filters.status) parts.push(t(`analytics.report.status.${report.kind}.${filters.status}`));
  return parts.length ? parts.join(' · ') : t('analytics.report.noFilters');
}

function DownloadLink({ report, onFresh }) {
  const busy = useSignal(false);
  const failed = useSignal(null);
  const fresh = report.download_url && Date.now() - report.receivedAt < FRESH_MS;
  const onClick = async (event) => {
    // the address lasts 15 minutes: an old one (or none yet) is asked for again
    if (report.download_url && Date.now() - report.receivedAt < FRESH_MS) return;
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    failed.value = null;
    try {
      const again = received(await api('GET', `/v1/reports/${report.id}`));
      onFresh(again);
      if (again.download_url) location.assign(again.download_url);
    } catch (error) {
      failed.value = errorText(error);
    } finally {
      busy.value = false;
    }
  };
  const label = t('analytics.report.downloadLabel', { name: t(`analytics.report.kind.${report.kind}`), format: report.format.toUpperCase() });
  return html`<a class="button button--secondary button--compact" href=${fresh ? report.download_url : `#report-${report.id}`} aria-label=${label}
      aria-busy=${busy.value ? 'true' : undefined} onClick=${onClick}>${t('analytics.report.download')}</a>
    ${failed.value && html`<p class="field__error" role="alert">${failed.value}</p>`}`;
}

function ReportRow({ report, onFresh }) {
  const filters = report.filters || {};
  return html`<tr id=${`report-${report.id}`}>
    <td data-label=${t('analytics.report.col.created')}>
      <time datetime=${report.created_at}>${when(report.created_at)}</time>
      <div class="admin-table__muted">${report.created_by_name || '—'}</div>
    </td>
    <td data-label=${t('analytics.report.col.kind')}>${t(`analytics.report.kind.${report.kind}`)} <span class="admin-table__muted">${report.format.toUpperCase()}</span></td>
    <td data-label=${t('analytics.report.col.period')}>${filters.from ? t('analytics.report.period', { from: dayLabel(filters.from, true), to: dayLabel(filters.to, true) }) : '—'}
      <div class="admin-table__muted">${filtersText(report)}</div>
    </td>
    <td data-label=${t('analytics.report.col.state')}>
      <${StateBadge} report=${report} />
      ${report.state === 'failed' && report.error && html`<div class="admin-table__muted">${report.error}</div>`}
    </td>
    <td class="admin-table__actions" data-label="">${report.state === 'done' && html`<${DownloadLink} report=${report} onFresh=${onFresh} />`}</td>
  </tr>`;
}

export function ReportsScreen() {
  const mayGenerate = mayGenerateReports();
  const state = useSignal({ items: null, error: null });
  const tick = useSignal(0);
  const replace = (report) => {
    const items = state.value.items || [];
    const found = items.some((one) => one.id === report.id);
    state.value = { ...state.value, items: found ? items.map((one) => (one.id === report.id ? report : one)) : [report, ...items] };
  };

  useEffect(() => {
    loadChannels();
    loadTeam();
  }, []);
  useEffect(() => {
    let live = true;
    api('GET', '/v1/reports').then(
      (page) => live && (state.value = { items: page.items.map(received), error: null }),
      (error) => live && (state.value = { ...state.value, error }),
    );
    return () => {
      live = false;
    };
  }, [tick.value]);

  // the unfinished reports are asked about every 2 s, until none is left or the page closes
  const waiting = (state.value.items || []).filter(unfinished).map((report) => report.id).join(',');
  useEffect(() => {
    if (!waiting) return undefined;
    let live = true;
    const timer = setInterval(async () => {
      for (const id of waiting.split(',')) {
        try {
          const report = await api('GET', `/v1/reports/${id}`);
          if (live) replace(received(report));
        } catch {
          // asked again at the next tick
        }
      }
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [waiting]);

  const { items, error } = state.value;
  let list;
  if (items === null) list = html`<${Loading} error=${error} onRetry=${() => (tick.value += 1)} />`;
  else if (!items.length) list = html`<${EmptyState} title=${t('analytics.report.empty')} text=${mayGenerate ? t('analytics.report.emptyText') : ''} />`;
  else {
    list = html`<div class="admin-table-wrap">
      <table class="admin-table an-table an-reports">
        <caption class="visually-hidden">${t('analytics.report.list')}</caption>
        <thead>
          <tr>
            <th scope="col">${t('analytics.report.col.created')}</th>
            <th scope="col">${t('analytics.report.col.kind')}</th>
            <th scope="col">${t('analytics.report.col.period')}</th>
            <th scope="col">${t('analytics.report.col.state')}</th>
            <th scope="col"><span class="visually-hidden">${t('analytics.report.col.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${items.map((report) => html`<${ReportRow} key=${report.id} report=${report} onFresh=${replace} />`)}
        </tbody>
      </table>
    </div>`;
  }
  return html`<${AnalyticsPage} title=${t('analytics.report.title')} description=${t(mayGenerate ? 'analytics.report.description' : 'analytics.report.readOnly')}>
    ${mayGenerate && html`<${ReportForm} onMade=${replace} onRefused=${() => (tick.value += 1)} />`}
    <${Section} title=${t('analytics.report.list')} id="an-report-list" class="an-card">${list}</${Section}>
  </${AnalyticsPage}>`;
}
