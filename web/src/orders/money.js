// Money in the console: every amount of orders, payments and products is an integer of
// the currency's minor unit (docs/orders.md "Money"). The exponents are the ones of
// chalicelib/domain/orders/money.py (EXPONENTS): keep both tables alike.
import { localeTag } from '../i18n.js';

/** ISO 4217 exponent of each currency the API accepts. */
export const EXPONENTS = {
  CLP: 0, BRL: 2, USD: 2, EUR: 2, MXN: 2, COP: 2, PEN: 2, ARS: 2, UYU: 2, PYG: 0, BOB: 2,
  GTQ: 2, CRC: 2, DOP: 2, JPY: 0, KRW: 0, GBP: 2, CAD: 2, AUD: 2, CHF: 2, CNY: 2, INR: 2,
};

/** The currencies offered first in selectors (the product's markets), then the rest. */
export const CURRENCIES = ['CLP', 'BRL', 'USD', ...Object.keys(EXPONENTS).filter((c) => !['CLP', 'BRL', 'USD'].includes(c)).sort()];

/** The currency a new order starts with: the market of the person's language. */
export function defaultCurrency(tag = localeTag.value) {
  return { 'es-CL': 'CLP', 'pt-BR': 'BRL', 'en-US': 'USD' }[tag] ?? 'CLP';
}

export const exponentOf = (currency) => EXPONENTS[currency] ?? 2;

/** ``amount`` minor units of ``currency`` as the person reads money: "$15.000", "R$ 150,00". */
export function formatMoney(amount, currency) {
  if (amount === null || amount === undefined) return '—';
  const digits = exponentOf(currency);
  try {
    return new Intl.NumberFormat(localeTag.value, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amount / 10 ** digits);
  } catch {
    return `${currency} ${(amount / 10 ** digits).toFixed(digits)}`;
  }
}

/** The number a person typed ("9.990", "99,90", "1,234.5") in minor units of
 * ``currency``, or null when it is not an amount. The last "," or "." followed by no more
 * digits than the currency's exponent marks the decimals; other marks group thousands. */
export function parseMoney(text, currency) {
  const digits = exponentOf(currency);
  const clean = String(text ?? '').replace(/[\s\u00a0]/g, '').replace(/[^\d.,-]/g, '');
  if (!clean || clean.includes('-')) return null;
  let whole = clean;
  let fraction = '';
  const mark = Math.max(clean.lastIndexOf(','), clean.lastIndexOf('.'));
  if (mark >= 0 && digits > 0) {
    const tail = clean.slice(mark + 1);
    const marks = clean.split(/[.,]/).length - 1;
    // "1.500" with one mark and three digits after it is a thousand, not one and a half
    const grouping = tail.length === 3 && marks === 1 && tail.length > digits;
    if (!grouping && tail.length <= digits) {
      whole = clean.slice(0, mark);
      fraction = tail;
    }
  }
  whole = whole.replace(/[.,]/g, '');
  if (!/^\d*$/.test(whole) || !/^\d*$/.test(fraction) || (!whole && !fraction)) return null;
  const value = Number(whole || '0') * 10 ** digits + Number((fraction + '0'.repeat(digits)).slice(0, digits) || '0');
  return Number.isSafeInteger(value) ? value : null;
}

/** ``amount`` minor units written for an input (no currency sign, the language's marks). */
export function moneyInput(amount, currency) {
  if (amount === null || amount === undefined) return '';
  const digits = exponentOf(currency);
  return new Intl.NumberFormat(localeTag.value, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount / 10 ** digits);
}
