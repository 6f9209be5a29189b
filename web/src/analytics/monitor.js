// "Monitoreo" (/analytics/agents; analytics.monitor): today's work of each person of the
// desk (GET /v1/analytics/agents, docs/analytics.md): presence, open tickets, replies,
// first response, orders and SLA breaches of the company's today. Read again every 15 s
// while the page is open (not while the tab is hidden; never after leaving the page).
// A column's header sorts the table by it; again, the other way.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { timezone } from '../format.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { localeTag, t } from '../i18n.js';
import { EmptyState, Loading } from '../admin/kit.js';
import { AnalyticsPage, count, dayLabel, duration, keepTeam, ticketCount } from './common.js';

/** How often the table is read again while it is shown. */
export const REFRESH_MS = 15_000;

const PRESENCE_RANK = { online: 0, away: 1, offline: 2 };
const COLUMNS = [
  { key: 'name', numeric: false, value: (row) => row.name },
  { key: 'presence', numeric: false, value: (row) => PRESENCE_RANK[row.presence] ?? 3 },
  { key: 'open_tickets', numeric: true, value: (row) => row.open_tickets },
  { key: 'replies_today', numeric: true, value: (row) => row.replies_today },
  { key: 'first_response_today', numeric: true, value: (row) => row.first_response_today?.mean_seconds ?? Infinity },
  { key: 'orders_today', numeric: true, value: (row) => row.orders_today },
  { key: 'sla_breaches_today', numeric: true, value: (row) => row.sla_breaches_today },
];

function sorted(rows, key, descending) {
  const column = COLUMNS.find((c) => c.key === key) ?? COLUMNS[0];
  const collator = new Intl.Collator(localeTag.value);
  const compare = (a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    const order = typeof x === 'string' ? collator.compare(x, y) : x - y;
    return order || collator.compare(a.name, b.name);
  };
  const list = [...rows].sort(compare);
  return descending ? list.reverse() : list;
}

function Header({ column, sort, onSort }) {
  const on = sort.key === column.key;
  const direction = on ? (sort.descending ? 'descending' : 'ascending') : undefined;
  return html`<th scope="col" class=${column.numeric ? 'an-num' : ''} aria-sort=${direction ?? 'none'}>
    <button type="button" class="an-sort" onClick=${() => onSort(column.key)}>
      ${t(`analytics.monitor.col.${column.key}`)}
      <span class="an-sort__arrow" aria-hidden="true">${on ? (sort.descending ? '↓' : '↑') : '↕'}</span>
    </button>
  </th>`;
}

function Row({ row }) {
  const first = row.first_response_today;
  return html`<tr>
    <th scope="row" class="an-person" data-label=${t('analytics.monitor.col.name')}>
      <span class="an-person__name">${row.name}</span>
      <span class="admin-table__muted">${t(`role.${row.role}`)}</span>
    </th>
    <td data-label=${t('analytics.monitor.col.presence')}>
      <span class="an-presence">
        <span class=${`presence-dot presence-dot--${row.presence} an-presence__dot`} aria-hidden="true"></span>${t(`analytics.presence.${row.presence}`)}
      </span>
    </td>
    <td class="an-num" data-label=${t('analytics.monitor.col.open_tickets')}>${count(row.open_tickets)}</td>
    <td class="an-num" data-label=${t('analytics.monitor.col.replies_today')}>${count(row.replies_today)}</td>
    <td class="an-num" data-label=${t('analytics.monitor.col.first_response_today')}>
      ${duration(first?.mean_seconds)}
      ${first?.count > 0 && html`<span class="admin-table__muted"> (${ticketCount(first.count)})</span>`}
    </td>
    <td class="an-num" data-label=${t('analytics.monitor.col.orders_today')}>${count(row.orders_today)}</td>
    <td class=${`an-num${row.sla_breaches_today > 0 ? ' an-breaches' : ''}`} data-label=${t('analytics.monitor.col.sla_breaches_today')}>
      ${count(row.sla_breaches_today)}
    </td>
  </tr>`;
}

export function MonitorScreen() {
  const state = useSignal({ data: null, error: null, at: null });
  const sort = useSignal({ key: 'name', descending: false });

  useEffect(() => {
    let live = true;
    let timer = null;
    const read = async () => {
      timer = null;
      if (!document.hidden) {
        try {
          const data = await api('GET', '/v1/analytics/agents');
          if (!live) return;
          keepTeam(data.agents);
          state.value = { data, error: null, at: new Date() };
        } catch (error) {
          if (!live) return;
          state.value = { ...state.value, error };
        }
      }
      if (live) timer = setTimeout(read, REFRESH_MS);
    };
    // back in the tab after a while: read now rather than at the next tick
    const visible = () => {
      if (!document.hidden && live && timer !== null && state.value.at && Date.now() - state.value.at > REFRESH_MS) {
        clearTimeout(timer);
        read();
      }
    };
    read();
    document.addEventListener('visibilitychange', visible);
    return () => {
      live = false;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', visible);
    };
  }, []);

  const onSort = (key) => {
    const same = sort.value.key === key;
    // numbers start with the largest, names with A
    const numeric = COLUMNS.find((c) => c.key === key)?.numeric;
    sort.value = { key, descending: same ? !sort.value.descending : Boolean(numeric) };
  };

  const { data, error, at } = state.value;
  let body;
  if (!data) body = html`<${Loading} error=${error} onRetry=${() => location.reload()} />`;
  else if (!data.agents.length) body = html`<${EmptyState} title=${t('analytics.monitor.empty')} />`;
  else {
    body = html`<div class="admin-table-wrap">
      <table class="admin-table an-table">
        <caption class="visually-hidden">${t('analytics.monitor.caption', { day: dayLabel(data.date, true) })}</caption>
        <thead>
          <tr>
            ${COLUMNS.map((column) => html`<${Header} key=${column.key} column=${column} sort=${sort.value} onSort=${onSort} />`)}
          </tr>
        </thead>
        <tbody>
          ${sorted(data.agents, sort.value.key, sort.value.descending).map((row) => html`<${Row} key=${row.user_id} row=${row} />`)}
        </tbody>
      </table>
    </div>`;
  }
  const clock = at && new Intl.DateTimeFormat(localeTag.value, { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: timezone.value }).format(at);
  return html`<${AnalyticsPage} title=${t('analytics.monitor.title')} description=${t('analytics.monitor.description')}>
    <section class="admin-card an-monitor" aria-labelledby="an-monitor-title">
      <div class="admin-card__head">
        <h2 class="admin-card__title" id="an-monitor-title">
          ${data ? t('analytics.monitor.today', { day: dayLabel(data.date, true), timezone: data.timezone }) : t('analytics.monitor.title')}
        </h2>
        ${clock && html`<p class="an-muted an-updated" aria-live="off">${t('analytics.monitor.updated', { time: clock })}</p>`}
      </div>
      ${data && error && html`<p class="field__error an-error" role="alert">${errorText(error)}</p>`}
      ${body}
    </section>
  </${AnalyticsPage}>`;
}
