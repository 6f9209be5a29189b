// The area's charts: small SVG bar charts of our own (no chart library). The bars are an
// SVG stretched to the card's width (so a phone and a desktop draw the same picture); the
// scale and the labels are HTML beside it, so text never stretches. Each chart is a
// figure whose SVG is role="img" with a sentence summing it up, and whose numbers are in
// a table for screen readers (visually hidden); each bar has a tooltip (<title>).
import { html } from '../html.js';
import { t } from '../i18n.js';

const WIDTH = 600;
const HEIGHT = 160;

/** A round top for the scale: 1, 2, 5, 10, 20, 50… at or above ``max``. */
export function niceTop(max) {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** Bars in groups: ``groups`` = [{key, label, short, values: [n per series]}] drawn left
 * to right; ``series`` = [{name, tone}] (tone: a CSS modifier, `in`, `out`, `opened`,
 * `closed`, `dist`); ``summary`` is the sentence a screen reader hears; ``format`` writes
 * a value; ``ticks`` are the groups' indexes labelled under the chart. */
export function BarChart({ title, groups, series, summary, format = String, ticks, headLabel }) {
  const top = niceTop(Math.max(0, ...groups.flatMap((group) => group.values)));
  const slot = WIDTH / Math.max(1, groups.length);
  const gap = Math.min(slot * 0.2, 6);
  // a few days (or buckets) do not make bars as wide as the card: at most 48 units each,
  // centred in their day
  const bar = Math.min((slot - gap) / series.length, 48);
  const inset = (slot - bar * series.length) / 2;
  const shownTicks = ticks ?? defaultTicks(groups.length);
  return html`<figure class="an-chart">
    <div class="an-chart__plot">
      <div class="an-chart__scale" aria-hidden="true">
        <span>${format(top)}</span><span>${format(top / 2)}</span><span>0</span>
      </div>
      <div class="an-chart__area">
        <svg class="an-chart__svg" viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label=${summary}>
          <line class="an-chart__grid" x1="0" x2=${WIDTH} y1="0.5" y2="0.5" vector-effect="non-scaling-stroke" />
          <line class="an-chart__grid" x1="0" x2=${WIDTH} y1=${HEIGHT / 2} y2=${HEIGHT / 2} vector-effect="non-scaling-stroke" />
          <line class="an-chart__base" x1="0" x2=${WIDTH} y1=${HEIGHT - 0.5} y2=${HEIGHT - 0.5} vector-effect="non-scaling-stroke" />
          ${groups.map((group, g) =>
            group.values.map((value, s) => {
              const height = value > 0 ? Math.max(1.5, (value / top) * HEIGHT) : 0;
              return html`<rect
                class=${`an-bar an-bar--${series[s].tone}`}
                x=${g * slot + inset + s * bar}
                y=${HEIGHT - height}
                width=${Math.max(0.5, bar - (series.length > 1 ? 0.5 : 0))}
                height=${height}
              ><title>${group.label} · ${series[s].name}: ${format(value)}</title></rect>`;
            }),
          )}
        </svg>
        <div class="an-chart__ticks" aria-hidden="true">
          ${shownTicks.map(
            (index) => html`<span class="an-chart__tick" style=${`left: ${((index + 0.5) / groups.length) * 100}%`}>${groups[index]?.short}</span>`,
          )}
        </div>
      </div>
    </div>
    ${series.length > 1 &&
    html`<figcaption class="an-chart__legend">
      ${series.map((one) => html`<span class="an-legend"><span class=${`an-legend__swatch an-bar--${one.tone}`} aria-hidden="true"></span>${one.name}</span>`)}
    </figcaption>`}
    <div class="visually-hidden">
      <table>
      <caption>${title}</caption>
      <thead>
        <tr>
          <th scope="col">${headLabel ?? t('analytics.chart.day')}</th>
          ${series.map((one) => html`<th scope="col">${one.name}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${groups.map(
          (group) => html`<tr key=${group.key}>
            <th scope="row">${group.label}</th>
            ${group.values.map((value) => html`<td>${format(value)}</td>`)}
          </tr>`,
        )}
      </tbody>
      </table>
    </div>
  </figure>`;
}

/** The first, middle and last groups (fewer when there are few). */
function defaultTicks(n) {
  if (n <= 0) return [];
  if (n <= 2) return [...Array(n).keys()];
  return [...new Set([0, Math.floor((n - 1) / 2), n - 1])];
}

/** A horizontal bar split in parts (``parts`` = [{name, value, tone}]), with each part's
 * number and share written beside it: SLA compliance, sentiment. */
export function SplitBar({ label, parts, format = String }) {
  const total = parts.reduce((sum, part) => sum + part.value, 0);
  const summary = parts.map((part) => `${part.name}: ${format(part.value)}`).join(', ');
  return html`<div class="an-split">
    <div class="an-split__label">${label}</div>
    <div class="an-split__bar" role="img" aria-label=${`${label}. ${total ? summary : t('analytics.none')}`}>
      ${total
        ? parts.map(
            (part) => part.value > 0 && html`<span class=${`an-split__part an-bar--${part.tone}`} style=${`width: ${(part.value / total) * 100}%`} title=${`${part.name}: ${format(part.value)}`}></span>`,
          )
        : html`<span class="an-split__empty"></span>`}
    </div>
    <ul class="an-split__numbers" aria-hidden="true">
      ${parts.map(
        (part) => html`<li><span class=${`an-legend__swatch an-bar--${part.tone}`}></span>${part.name} <strong>${format(part.value)}</strong>${total
          ? html` <span class="an-muted">(${Math.round((part.value / total) * 100)} %)</span>`
          : ''}</li>`,
      )}
    </ul>
  </div>`;
}
