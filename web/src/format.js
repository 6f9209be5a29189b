// Dates and times in the company's timezone (from /v1/me), in the person's language.
import { signal } from '@preact/signals';
import { localeTag, t } from './i18n.js';

const here = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The company's IANA timezone once signed in; the browser's before. */
export const timezone = signal(here);

export function formatDateTime(iso) {
  return new Intl.DateTimeFormat(localeTag.value, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: timezone.value,
  }).format(new Date(iso));
}

/** A calendar day (YYYY-MM-DD) as it is written, whatever the timezone. */
export function formatDay(day) {
  return new Intl.DateTimeFormat(localeTag.value, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

/** A card's time: the hour when it is today in the company's timezone, else the day. */
export function formatWhen(iso, now = new Date()) {
  const at = new Date(iso);
  const day = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: timezone.value }).format(d);
  const today = day(at) === day(now);
  return new Intl.DateTimeFormat(
    localeTag.value,
    today
      ? { hour: '2-digit', minute: '2-digit', timeZone: timezone.value }
      : { day: 'numeric', month: 'short', timeZone: timezone.value },
  ).format(at);
}

/** A span of time, short: "3 d", "2 h 5 min", "12 min" (at least one minute). */
export function formatSpan(ms) {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes >= 2 * 24 * 60) return t('span.days', { n: Math.floor(minutes / (24 * 60)) });
  if (minutes >= 60) {
    const hours = t('span.hours', { n: Math.floor(minutes / 60) });
    return minutes % 60 ? `${hours} ${t('span.minutes', { n: minutes % 60 })}` : hours;
  }
  return t('span.minutes', { n: minutes });
}
