// The checks a form makes before calling the API (the API checks again, and its
// answer is shown the same way).
import { t } from '../i18n.js';

export function required(value) {
  return String(value).trim() ? null : t('field.required');
}

export function checkEmail(value) {
  const text = String(value).trim();
  if (!text) return t('field.required');
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? null : t('field.email');
}

export function checkNewPassword(value) {
  if (!value) return t('field.required');
  return value.length < 10 ? t('password.short') : null;
}
