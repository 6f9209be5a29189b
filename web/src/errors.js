// The API's errors (SPEC §10) in the person's language: known codes have their own
// text; anything else shows the API's own message.
import { CATALOGS, t } from './i18n.js';

/** The message for a failed call; ``context`` tells apart codes shared by several forms. */
export function errorText(error, context) {
  if (!error || error.status === 0) return t('error.network');
  const { code } = error;
  if (code === 'throttled') {
    const seconds = Number.parseInt(error.retryAfter, 10);
    return seconds > 0 ? t('error.throttled', { seconds }) : t('error.throttledSoon');
  }
  const specific = `error.${code}.${context}`;
  if (context && specific in CATALOGS.es) return t(specific);
  if (`error.${code}` in CATALOGS.es) return t(`error.${code}`);
  if (error.status >= 500 || !error.message) return t('error.generic');
  return error.message;
}

function fieldText(problem) {
  const msg = String(problem.msg || '');
  if (problem.type === 'password_policy') {
    if (msg.includes('at least')) return t('password.short');
    if (msg.includes('at most')) return t('password.long');
    if (msg.includes('email')) return t('password.email');
    return t('password.common');
  }
  if (problem.type === 'missing' || problem.type === 'string_too_short') return t('field.required');
  if (problem.type === 'string_too_long') return t('field.tooLong');
  if (/email/i.test(msg)) return t('field.email');
  return msg;
}

/** ``{field: message}`` from a 400's details, for the fields of a form. */
export function fieldErrors(error) {
  const found = {};
  for (const problem of Array.isArray(error?.details) ? error.details : []) {
    const field = Array.isArray(problem.loc) ? problem.loc[problem.loc.length - 1] : null;
    if (typeof field !== 'string') continue;
    const text = fieldText(problem);
    found[field] = found[field] ? `${found[field]} ${text}` : text;
  }
  return found;
}
