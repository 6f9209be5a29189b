// The period pickers of the summary and of the reports' form: presets ("Hoy", "Últimos 7
// días", "Últimos 30 días", "Este mes", in the company's timezone) and two day fields. The
// API takes the company's local days (YYYY-MM-DD), both counted, 366 at most.
import { html } from '../html.js';
import { t } from '../i18n.js';
import { presets, rangeProblem, today } from './common.js';

/** ``{from, to, preset, problem}`` of two days (missing ones: the last 7 days). */
export function periodOf(from, to) {
  const [, weekFrom, now] = presets()[1];
  const start = from || (to ? to : weekFrom);
  const end = to || (from && from > now ? from : now);
  const preset = presets().find(([, a, b]) => a === start && b === end)?.[0] ?? null;
  return { from: start, to: end, preset, problem: rangeProblem(start, end) };
}

/** Presets as toggle buttons, then "Desde" and "Hasta"; ``onChange(from, to)``. */
export function PeriodPicker({ period, onChange, idPrefix }) {
  const max = today();
  return html`<fieldset class="an-period">
    <legend class="an-filter__label">${t('analytics.range.label')}</legend>
    <div class="an-period__presets" role="group" aria-label=${t('analytics.range.presets')}>
      ${presets().map(
        ([name, from, to]) => html`<button
          type="button"
          class="an-chip"
          aria-pressed=${period.preset === name ? 'true' : 'false'}
          onClick=${() => onChange(from, to)}
        >${t(`analytics.range.${name}`)}</button>`,
      )}
    </div>
    <div class="an-period__days">
      <div class="an-filter an-filter--day">
        <label class="an-filter__label" for=${`${idPrefix}-from`}>${t('analytics.range.from')}</label>
        <input id=${`${idPrefix}-from`} type="date" class="field__input" value=${period.from} max=${max}
          aria-invalid=${period.problem ? 'true' : undefined} aria-describedby=${period.problem ? `${idPrefix}-range-error` : undefined}
          onChange=${(e) => onChange(e.currentTarget.value, period.to)} />
      </div>
      <div class="an-filter an-filter--day">
        <label class="an-filter__label" for=${`${idPrefix}-to`}>${t('analytics.range.to')}</label>
        <input id=${`${idPrefix}-to`} type="date" class="field__input" value=${period.to} max=${max}
          aria-invalid=${period.problem ? 'true' : undefined} aria-describedby=${period.problem ? `${idPrefix}-range-error` : undefined}
          onChange=${(e) => onChange(period.from, e.currentTarget.value)} />
      </div>
    </div>
    ${period.problem && html`<p class="field__error an-period__error" id=${`${idPrefix}-range-error`} role="alert">${t(period.problem)}</p>`}
  </fieldset>`;
}
