// Dates and times in the company's timezone (from /v1/me), in the person's language.
import { signal } from '@preact/signals';
import { localeTag } from './i18n.js';

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
