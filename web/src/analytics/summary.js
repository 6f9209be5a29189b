// "Analítica" (/analytics; analytics.read): the company's numbers for a range of its days
// (GET /v1/analytics/summary, docs/analytics.md "The API"): key figures, messages and
// tickets per day, how first responses spread, SLA compliance and sentiment, for the whole
// account, one channel or one person. The range and the series live in the address (a
// link or "back" keeps them); calendar or business time is a toggle of the page.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { navigate, route } from '../router.js';
import { Loading, Section } from '../admin/kit.js';
import { BarChart, SplitBar } from './charts.js';
import { AnalyticsPage, channels, count, ticketCount, dayLabel, duration, loadChannels, loadTeam, percent, team } from './common.js';
import { PeriodPicker, periodOf } from './period.js';

const CLOCKS = ['calendar', 'business'];
const TIMES = ['first_response', 'first_resolution', 'full_resolution'];
const SLA_TARGETS = ['first_response', 'resolution'];
/** The product's sentiments (a ticket's faces) and the tone each is drawn in. */
const SENTIMENTS = [
  ['happy', 'positive'],
  ['neutral', 'neutral'],
  ['angry', 'negative'],
];

/** GET /v1/analytics/summary for the range and the series ("", "ch:<id>" or "ag:<id>"). */
function readSummary(from, to, series) {
  const id = encodeURIComponent(series.slice(3));
  if (series.startsWith('ch:')) return api('GET', `/v1/analytics/summary?from=${from}&to=${to}&channel=${id}`);
  if (series.startsWith('ag:')) return api('GET', `/v1/analytics/summary?from=${from}&to=${to}&agent=${id}`);
  return api('GET', `/v1/analytics/summary?from=${from}&to=${to}`);
}

function SeriesPicker({ value, onChange }) {
  const channelList = channels.value;
  const people = team.value;
  // a series named by the address but not (yet) in the lists still shows as chosen
  const known = !value || channelList.some((c) => `ch:${c.id}` === value) || people.some((p) => `ag:${p.id}` === value);
  return html`<div class="an-filter an-filter--series">
    <label class="an-filter__label" for="an-series">${t('analytics.series.label')}</label>
    <select id="an-series" class="field__input field__select" value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="" selected=${!value}>${t('analytics.series.all')}</option>
      ${!known && html`<option value=${value} selected>${t(value.startsWith('ch:') ? 'analytics.series.oneChannel' : 'analytics.series.onePerson')}</option>`}
      ${channelList.length > 0 &&
      html`<optgroup label=${t('analytics.series.channels')}>
        ${channelList.map((c) => html`<option value=${`ch:${c.id}`} selected=${value === `ch:${c.id}`}>${c.label}</option>`)}
      </optgroup>`}
      ${people.length > 0 &&
      html`<optgroup label=${t('analytics.series.people')}>
        ${people.map((p) => html`<option value=${`ag:${p.id}`} selected=${value === `ag:${p.id}`}>${p.name}</option>`)}
      </optgroup>`}
    </select>
  </div>`;
}

function ClockToggle({ value, onChange }) {
  return html`<fieldset class="an-toggle">
    <legend class="an-filter__label">${t('analytics.clock.label')}</legend>
    <div class="an-toggle__options">
      ${CLOCKS.map(
        (clock) => html`<label class=${`an-toggle__option${value === clock ? ' an-toggle__option--on' : ''}`}>
          <input type="radio" name="an-clock" value=${clock} checked=${value === clock} onChange=${() => onChange(clock)} />
          ${t(`analytics.clock.${clock}`)}
        </label>`,
      )}
    </div>
  </fieldset>`;
}

function Kpi({ label, value, detail, tone }) {
  return html`<li class=${`an-kpi${tone ? ` an-kpi--${tone}` : ''}`}>
    <span class="an-kpi__label">${label}</span>
    <strong class="an-kpi__value">${value}</strong>
    ${detail && html`<span class="an-kpi__detail">${detail}</span>`}
  </li>`;
}

function Figures({ total, clock, error }) {
  const m = total.messages;
  const k = total.tickets;
  const timeKpi = (name) => {
    const figures = total[name][clock];
    return html`<${Kpi}
      key=${name}
      label=${t(`analytics.time.${name}`)}
      value=${duration(figures.mean_seconds)}
      detail=${html`<span>${t('analytics.p90', { value: duration(figures.p90_seconds) })}</span><span>${ticketCount(figures.count)}</span>`}
    />`;
  };
  return html`<section class="an-figures" aria-labelledby="an-figures-title">
    <h2 class="visually-hidden" id="an-figures-title">${t('analytics.figures')}</h2>
    <ul class="an-kpis">
      <${Kpi} label=${t('analytics.messages.in')} value=${count(m.in)} />
      <${Kpi} label=${t('analytics.messages.out')} value=${count(m.out)} detail=${t('analytics.messages.automatic', { bot: count(m.bot), auto: count(m.auto) })} />
      <${Kpi} label=${t('analytics.tickets.opened')} value=${count(k.opened)} />
      <${Kpi} label=${t('analytics.tickets.closed')} value=${count(k.closed)} />
      <${Kpi} label=${t('analytics.tickets.reopened')} value=${count(k.reopened)} />
      ${SLA_TARGETS.map(
        (target) => html`<${Kpi}
          key=${target}
          label=${t(`analytics.sla.kpi.${target}`)}
          value=${percent(total.sla[target].compliance)}
          detail=${t('analytics.sla.of', { met: count(total.sla[target].met), total: count(total.sla[target].met + total.sla[target].breached) })}
        />`,
      )}
    </ul>
    <h3 class="an-subtitle">${t(`analytics.times.${clock}`)}</h3>
    <ul class="an-kpis an-kpis--times">
      ${TIMES.map(timeKpi)}
    </ul>
    <p class="an-fineprint">${t('analytics.p90Error', { percent: Math.round(error * 100) })}</p>
  </section>`;
}

function DailyCharts({ days }) {
  const long = days.length > 31;
  const group = (day, values) => ({ key: day.date, label: dayLabel(day.date, true), short: dayLabel(day.date), values });
  const sum = (list) => list.reduce((a, b) => a + b, 0);
  const messages = days.map((day) => group(day, [day.messages.in, day.messages.out]));
  const tickets = days.map((day) => group(day, [day.tickets.opened, day.tickets.closed]));
  const first = dayLabel(days[0].date, true);
  const last = dayLabel(days[days.length - 1].date, true);
  const busiest = (index, list) => list.reduce((best, g) => (g.values[index] > best.values[index] ? g : best), list[0]);
  const messagesSummary = t('analytics.chart.messagesSummary', {
    from: first,
    to: last,
    in: count(sum(messages.map((g) => g.values[0]))),
    out: count(sum(messages.map((g) => g.values[1]))),
    busiest: busiest(0, messages).label,
    most: count(busiest(0, messages).values[0]),
  });
  const ticketsSummary = t('analytics.chart.ticketsSummary', {
    from: first,
    to: last,
    opened: count(sum(tickets.map((g) => g.values[0]))),
    closed: count(sum(tickets.map((g) => g.values[1]))),
  });
  return html`<div class=${`an-grid${long ? ' an-grid--long' : ''}`}>
    <${Section} title=${t('analytics.chart.messages')} id="an-messages" class="an-card">
      <${BarChart}
        title=${t('analytics.chart.messages')}
        groups=${messages}
        series=${[{ name: t('analytics.messages.in'), tone: 'in' }, { name: t('analytics.messages.out'), tone: 'out' }]}
        summary=${messagesSummary}
        format=${count}
      />
    </${Section}>
    <${Section} title=${t('analytics.chart.tickets')} id="an-tickets" class="an-card">
      <${BarChart}
        title=${t('analytics.chart.tickets')}
        groups=${tickets}
        series=${[{ name: t('analytics.tickets.opened'), tone: 'opened' }, { name: t('analytics.tickets.closed'), tone: 'closed' }]}
        summary=${ticketsSummary}
        format=${count}
      />
    </${Section}>
  </div>`;
}

const STEP = 2 ** (1 / 4);

/** The histogram's buckets from the first to the last that holds a duration, the empty
 * ones between and around them included (the API leaves them out). A bucket is known by its upper
 * bound, b^k with b = 2^(1/4) (4 buckets per doubling, docs/analytics.md). */
export function bucketsOf(list) {
  const index = (bucket) => Math.round(4 * Math.log2(Math.max(bucket.to_seconds, 1)));
  const held = list.filter((bucket) => bucket.count > 0);
  if (!held.length) return [];
  const byIndex = new Map(held.map((bucket) => [index(bucket), bucket]));
  // a little room around the held buckets (at least 12 in all), so one bar is not the chart
  const low = Math.max(0, Math.min(...byIndex.keys()) - 2);
  const high = Math.max(Math.max(...byIndex.keys()) + 2, low + 11);
  const out = [];
  for (let k = low; k <= high; k += 1) {
    out.push(byIndex.get(k) ?? { from_seconds: k === 0 ? 0 : STEP ** (k - 1), to_seconds: STEP ** k, count: 0 });
  }
  return out;
}

function Distribution({ total, clock }) {
  const metric = useSignal('first_response');
  const buckets = bucketsOf(total.distributions?.[metric.value]?.[clock] ?? []);
  const figures = total[metric.value][clock];
  const held = buckets.filter((bucket) => bucket.count > 0);
  const groups = buckets.map((bucket, i) => ({
    key: String(i),
    label: t('analytics.dist.bucket', { from: duration(bucket.from_seconds), to: duration(bucket.to_seconds) }),
    short: duration(bucket.from_seconds),
    values: [bucket.count],
  }));
  const picker = html`<label class="an-inline-select">
    <span class="visually-hidden">${t('analytics.dist.metric')}</span>
    <select class="field__input field__select" value=${metric.value} onChange=${(e) => (metric.value = e.currentTarget.value)}>
      ${TIMES.map((name) => html`<option value=${name} selected=${metric.value === name}>${t(`analytics.time.${name}`)}</option>`)}
    </select>
  </label>`;
  const title = t('analytics.dist.title');
  return html`<${Section} title=${title} id="an-distribution" class="an-card" actions=${picker}>
    ${groups.length
      ? html`<${BarChart}
            title=${`${title}: ${t(`analytics.time.${metric.value}`)}`}
            groups=${groups}
            series=${[{ name: t('analytics.dist.tickets'), tone: 'dist' }]}
            summary=${t('analytics.dist.summary', {
              metric: t(`analytics.time.${metric.value}`),
              n: ticketCount(figures.count),
              from: duration(held[0].from_seconds),
              to: duration(held[held.length - 1].to_seconds),
              mean: duration(figures.mean_seconds),
              p90: duration(figures.p90_seconds),
            })}
            format=${count}
            headLabel=${t('analytics.dist.range')}
          />
          <p class="an-fineprint">${t('analytics.dist.note', { mean: duration(figures.mean_seconds), p90: duration(figures.p90_seconds) })}</p>`
      : html`<p class="an-muted an-empty">${t('analytics.dist.empty')}</p>`}
  </${Section}>`;
}

function Compliance({ total }) {
  return html`<${Section} title=${t('analytics.sla.title')} id="an-sla" class="an-card">
    ${SLA_TARGETS.map(
      (target) => html`<${SplitBar}
        key=${target}
        label=${`${t(`analytics.sla.target.${target}`)} · ${percent(total.sla[target].compliance)}`}
        parts=${[
          { name: t('analytics.sla.met'), value: total.sla[target].met, tone: 'met' },
          { name: t('analytics.sla.breached'), value: total.sla[target].breached, tone: 'breached' },
        ]}
        format=${count}
      />`,
    )}
    <p class="an-fineprint">${t('analytics.sla.note')}</p>
  </${Section}>`;
}

function Sentiment({ total }) {
  return html`<${Section} title=${t('analytics.sentiment.title')} id="an-sentiment" class="an-card">
    ${['start', 'end'].map(
      (moment) => html`<${SplitBar}
        key=${moment}
        label=${t(`analytics.sentiment.${moment}`)}
        parts=${SENTIMENTS.map(([name, tone]) => ({ name: t(`sentiment.${name}`), value: total.sentiment[moment][name] ?? 0, tone }))}
        format=${count}
      />`,
    )}
    <p class="an-fineprint">${t('analytics.sentiment.note')}</p>
  </${Section}>`;
}

function seriesName(series) {
  if (!series) return t('analytics.series.all');
  const id = series.slice(3);
  if (series.startsWith('ch:')) return channels.value.find((c) => c.id === id)?.label ?? t('analytics.series.oneChannel');
  return team.value.find((p) => p.id === id)?.name ?? t('analytics.series.onePerson');
}

export function SummaryScreen() {
  const query = route.value.query;
  const period = periodOf(query.get('from'), query.get('to'));
  const series = query.get('series') || '';
  const clock = CLOCKS.includes(query.get('clock')) ? query.get('clock') : 'calendar';
  const state = useSignal({ data: null, error: null, loading: true });

  const set = (changes) => {
    const next = new URLSearchParams(query);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const text = next.toString();
    navigate(text ? `/analytics?${text}` : '/analytics', { replace: true });
  };

  useEffect(() => {
    loadChannels();
    loadTeam();
  }, []);
  const key = period.problem ? null : `${period.from}|${period.to}|${series}`;
  const tick = useSignal(0);
  useEffect(() => {
    if (key === null) return undefined;
    let live = true;
    state.value = { ...state.value, loading: true, error: null };
    readSummary(period.from, period.to, series).then(
      (data) => live && (state.value = { data, error: null, loading: false }),
      (error) => live && (state.value = { data: state.value.data, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick.value]);

  const { data, error, loading } = state.value;
  let body;
  if (!data) body = html`<${Loading} error=${error} onRetry=${() => (tick.value += 1)} />`;
  else {
    body = html`<div class="an-summary" aria-busy=${loading ? 'true' : undefined}>
      <p class="an-caption">
        ${t('analytics.caption', {
          from: dayLabel(data.from, true),
          to: dayLabel(data.to, true),
          timezone: data.timezone,
          series: seriesName(series),
        })}
      </p>
      <${Figures} total=${data.total} clock=${clock} error=${data.percentile_error} />
      <${DailyCharts} days=${data.days} />
      <${Distribution} total=${data.total} clock=${clock} />
      <div class="an-grid">
        <${Compliance} total=${data.total} />
        <${Sentiment} total=${data.total} />
      </div>
    </div>`;
  }
  return html`<${AnalyticsPage} title=${t('analytics.summary.title')} description=${t('analytics.summary.description')}>
    <section class="admin-card an-controls" aria-label=${t('analytics.controls')}>
      <${PeriodPicker} idPrefix="an" period=${period} onChange=${(from, to) => set({ from, to })} />
      <${SeriesPicker} value=${series} onChange=${(value) => set({ series: value })} />
      <${ClockToggle} value=${clock} onChange=${(value) => set({ clock: value === 'calendar' ? '' : value })} />
    </section>
    ${data && error && html`<p class="field__error an-error" role="alert">${errorText(error)}</p>`}
    ${body}
  </${AnalyticsPage}>`;
}
