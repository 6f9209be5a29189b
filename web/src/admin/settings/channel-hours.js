// A channel's business hours (SPEC §3, docs/sla.md): a weekly schedule — each weekday
// closed or open in one or more ranges —, the timezone it is read in, and holidays. They
// decide the "out of hours" auto-reply and the SLA's business minutes.
import { useSignal } from '@preact/signals';
import { formatDay } from '../../format.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { me } from '../../session.js';
import { useId } from '../../ui.js';
import { Part, usePart } from './parts.js';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WORKDAY = ['09:00', '18:00'];
// an <input type="time"> cannot show 24:00: a range ending at midnight ends at 00:00 here
const shownEnd = (end) => (end === '24:00' ? '00:00' : end);
const sentEnd = (end) => (end === '00:00' ? '24:00' : end);

/** Every IANA zone the browser knows, with ``current`` among them. */
function zones(current) {
  let all = [];
  try {
    all = Intl.supportedValuesOf('timeZone');
  } catch {
    all = ['America/Santiago', 'America/Sao_Paulo', 'America/Bogota', 'America/Lima', 'America/Mexico_City', 'UTC'];
  }
  return [...new Set([current, ...all, 'UTC'])].filter(Boolean).sort();
}

/** The problems of one day's ranges (already with ends as sent), or null. */
export function dayProblem(ranges) {
  for (const [start, end] of ranges) {
    if (!start || !end) return t('settings.hours.incomplete');
    if (start >= end) return t('settings.hours.badRange');
  }
  const ordered = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (let i = 1; i < ordered.length; i += 1) {
    if (ordered[i][0] < ordered[i - 1][1]) return t('settings.hours.overlap');
  }
  return null;
}

function toDraft(hours) {
  const tenantZone = me.value?.tenant.timezone || 'America/Santiago';
  if (!hours) return { enabled: false, timezone: tenantZone, weekly: {}, holidays: [] };
  const weekly = {};
  for (const day of DAYS) if (hours.weekly[day]?.length) weekly[day] = hours.weekly[day].map(([s, e]) => [s, shownEnd(e)]);
  return { enabled: true, timezone: hours.timezone, weekly, holidays: [...hours.holidays].sort() };
}

function DayRow({ day, ranges, error, onChange }) {
  const id = useId(`day-${day}`);
  const name = t(`settings.day.${day}`);
  const open = ranges.length > 0;
  const setRange = (i, which, value) => onChange(ranges.map((range, j) => (j === i ? (which === 0 ? [value, range[1]] : [range[0], value]) : range)));
  const addRange = () => {
    const last = ranges[ranges.length - 1];
    const start = last && last[1] < '22:00' ? last[1] : '14:00';
    const end = start < '22:00' ? `${String(Number(start.slice(0, 2)) + 2).padStart(2, '0')}${start.slice(2)}` : '00:00';
    onChange([...ranges, [start, end]]);
  };
  return html`<div class=${`chday${open ? ' chday--open' : ''}${error ? ' chday--invalid' : ''}`} role="group" aria-labelledby=${`${id}-name`}>
    <span class="chday__name" id=${`${id}-name`}>${name}</span>
    <label class="chswitch chday__switch">
      <input type="checkbox" role="switch" checked=${open} aria-label=${t('settings.hours.openOn', { day: name })} onChange=${(e) => onChange(e.currentTarget.checked ? [WORKDAY] : [])} />
      <span class="chswitch__track" aria-hidden="true"><span class="chswitch__thumb"></span></span>
      <span class="chswitch__label" aria-hidden="true">${open ? t('settings.hours.open') : t('settings.hours.closed')}</span>
    </label>
    <div class="chday__ranges">
      ${ranges.map(
        ([start, end], i) => html`<div class="chrange">
          <input type="time" class="field__input chrange__time" value=${start} aria-label=${t('settings.hours.from', { day: name, n: i + 1 })} aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `${id}-error` : undefined} onInput=${(e) => setRange(i, 0, e.currentTarget.value)} />
          <span class="chrange__dash" aria-hidden="true">–</span>
          <input type="time" class="field__input chrange__time" value=${end} aria-label=${t('settings.hours.to', { day: name, n: i + 1 })} aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `${id}-error` : undefined} onInput=${(e) => setRange(i, 1, e.currentTarget.value)} />
          <button type="button" class="icon-button icon-button--sm" aria-label=${t('settings.hours.removeRange', { day: name, n: i + 1 })} title=${t('settings.hours.removeRangeShort')} onClick=${() => onChange(ranges.filter((_, j) => j !== i))}>
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
          </button>
        </div>`,
      )}
      ${open && html`<button type="button" class="link-button chday__add" aria-label=${t('settings.hours.addRangeOn', { day: name })} onClick=${addRange}>+ ${t('settings.hours.addRange')}</button>`}
      ${error && html`<p class="field__error chday__error" id=${`${id}-error`}>${error}</p>`}
    </div>
  </div>`;
}

function Holidays({ holidays, error, onChange }) {
  const id = useId('holiday');
  const day = useSignal('');
  const add = () => {
    if (!day.value || holidays.includes(day.value)) return;
    onChange([...holidays, day.value].sort());
    day.value = '';
  };
  return html`<div class="chholidays" role="group" aria-labelledby=${`${id}-title`}>
    <p class="field__label" id=${`${id}-title`}>${t('settings.hours.holidays')}</p>
    <p class="field__hint">${t('settings.hours.holidaysHint')}</p>
    ${holidays.length
      ? html`<ul class="chholidays__list">
          ${holidays.map(
            (date) => html`<li class="chholiday">
              <span>${formatDay(date)}</span>
              <button type="button" class="icon-button icon-button--sm" aria-label=${t('settings.hours.removeHoliday', { date: formatDay(date) })} title=${t('settings.hours.removeHolidayShort')} onClick=${() => onChange(holidays.filter((d) => d !== date))}>
                <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
              </button>
            </li>`,
          )}
        </ul>`
      : html`<p class="chholidays__empty">${t('settings.hours.noHolidays')}</p>`}
    <div class="chholidays__add">
      <label class="visually-hidden" for=${`${id}-date`}>${t('settings.hours.holidayDate')}</label>
      <input
        id=${`${id}-date`}
        type="date"
        class="field__input chholidays__date"
        value=${day.value}
        aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${error ? `${id}-error` : undefined}
        onInput=${(e) => (day.value = e.currentTarget.value)}
        onKeyDown=${(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }}
      />
      <button type="button" class="button button--secondary" disabled=${!day.value} onClick=${add}>${t('settings.hours.addHoliday')}</button>
    </div>
    ${error && html`<p class="field__error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

export function HoursPart({ channel, onSaved, readOnly }) {
  const part = usePart(channel, 'business_hours', toDraft);
  const d = part.draft.value;
  const errors = part.errors.value;
  const zoneId = useId('zone');
  const enable = (on) => {
    const weekly = on && !Object.keys(d.weekly).length ? Object.fromEntries(DAYS.slice(0, 5).map((day) => [day, [WORKDAY]])) : d.weekly;
    part.set({ enabled: on, weekly });
  };
  const sentWeekly = () =>
    Object.fromEntries(DAYS.filter((day) => d.weekly[day]?.length).map((day) => [day, d.weekly[day].map(([s, e]) => [s, sentEnd(e)])]));
  const check = () => {
    const found = {};
    if (!d.enabled) return found;
    const weekly = sentWeekly();
    for (const day of DAYS) {
      const problem = weekly[day] && dayProblem(weekly[day]);
      if (problem) found[`weekly.${day}`] = problem;
    }
    return found;
  };
  const save = () =>
    part.save(check, () => (d.enabled ? { timezone: d.timezone, weekly: sentWeekly(), holidays: d.holidays } : null), onSaved, t('settings.saved.hours'));
  return html`<${Part} id="channel-hours" title=${t('settings.hours.title')} text=${t('settings.hours.text')} part=${part} onSave=${save} readOnly=${readOnly}>
    <label class="chswitch chswitch--lead">
      <input type="checkbox" role="switch" checked=${d.enabled} onChange=${(e) => enable(e.currentTarget.checked)} />
      <span class="chswitch__track" aria-hidden="true"><span class="chswitch__thumb"></span></span>
      <span class="chswitch__label">${t('settings.hours.enabled')}</span>
    </label>
    ${!d.enabled && html`<p class="chpart__note">${t('settings.hours.always')}</p>`}
    ${d.enabled &&
    html`<div class="chhours">
      <div class=${`field chhours__zone${errors.timezone ? ' field--invalid' : ''}`}>
        <label class="field__label" for=${zoneId}>${t('settings.hours.timezone')}</label>
        <select id=${zoneId} class="field__input field__select" aria-describedby=${errors.timezone ? `${zoneId}-error` : undefined} onChange=${(e) => part.set({ timezone: e.currentTarget.value }, 'timezone')}>
          ${zones(d.timezone).map((zone) => html`<option value=${zone} selected=${zone === d.timezone}>${zone.replaceAll('_', ' ')}</option>`)}
        </select>
        ${errors.timezone && html`<p class="field__error" id=${`${zoneId}-error`}>${errors.timezone}</p>`}
      </div>
      <div class="chweek" role="group" aria-label=${t('settings.hours.week')}>
        ${DAYS.map(
          (day) => html`<${DayRow}
            key=${day}
            day=${day}
            ranges=${d.weekly[day] || []}
            error=${errors[`weekly.${day}`] || (day === 'mon' ? errors.weekly : undefined)}
            onChange=${(ranges) => {
              const weekly = { ...d.weekly };
              if (ranges.length) weekly[day] = ranges;
              else delete weekly[day];
              part.set({ weekly }, `weekly.${day}`);
            }}
          />`,
        )}
      </div>
      <${Holidays} holidays=${d.holidays} error=${Object.entries(errors).find(([k]) => k.startsWith('holidays'))?.[1]} onChange=${(holidays) => part.set({ holidays }, 'holidays')} />
    </div>`}
  </${Part}>`;
}
