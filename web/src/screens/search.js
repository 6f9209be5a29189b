// Search (seed 003, step 24): a panel at the right of the screen, opened by the header's
// "Buscar" (or "/", Ctrl+K), that finds tickets three ways — by number, by the client's
// name or email, by the client's RUT — with GET /v1/search/tickets (docs/helpdesk.md,
// "Search"); a result opens its ticket. The last search stays for the page's life.
import { effect, signal, useSignal } from '@preact/signals';
import { api } from '../api.js';
import { ChannelIcon } from '../channels.js';
import { errorText } from '../errors.js';
import { formatDateTime, formatWhen } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { me } from '../session.js';
import { Button, Dialog, useId } from '../ui.js';
import './search.css';

export const MODES = ['number', 'name', 'rut'];
const MAX_NUMBER = 9_999_999_999;

// the last search, kept while the page lives; signing out forgets it
const last = {
  mode: signal('number'),
  query: signal(''),
  /** ``{by, query, items}`` of the last answer, or null. */
  answer: signal(null),
};

effect(() => {
  if (!me.value) {
    last.mode.value = 'number';
    last.query.value = '';
    last.answer.value = null;
  }
});

/** The modulo-11 check digit of a RUT's number: "0"–"9" or "K" (as the API computes it). */
export function rutCheckDigit(body) {
  let total = 0;
  [...String(body)].reverse().forEach((digit, i) => (total += Number(digit) * (2 + (i % 6))));
  const value = 11 - (total % 11);
  return value === 11 ? '0' : value === 10 ? 'K' : String(value);
}

/** ``{by, value}`` to ask the API for, or ``{error}``: what ``text`` searched in ``mode``
 * means. A number typed with letters is a name, a RUT typed with its dots or dash is a RUT
 * (the mode then follows: ``switched``). */
export function understand(mode, text) {
  const query = text.trim();
  if (!query) return { error: t('search.error.empty') };
  const rutShaped = /^\d{1,2}(\.?\d{3}){2}-[\dkK]$|^\d{7,8}[kK]$/.test(query);
  if (mode === 'number') {
    if (/^#?\d+$/.test(query)) {
      const number = Number(query.replace('#', ''));
      if (number < 1 || number > MAX_NUMBER) return { error: t('search.error.number') };
      return { by: 'number', value: String(number) };
    }
    if (rutShaped) return { ...understand('rut', query), switched: 'rut' };
    if (/[\p{L}@]/u.test(query)) return { ...understand('name', query), switched: 'name' };
    return { error: t('search.error.number') };
  }
  if (mode === 'rut') {
    const compact = query.replace(/[.\s-]/g, '').toUpperCase();
    if (!/^\d{1,8}[\dK]$/.test(compact) || Number(compact.slice(0, -1)) < 1) return { error: t('search.error.rutFormat') };
    const expected = rutCheckDigit(compact.slice(0, -1));
    if (compact.slice(-1) !== expected) return { error: t('search.error.rutCheck', { digit: expected }) };
    return { by: 'rut', value: `${compact.slice(0, -1)}-${compact.slice(-1)}` };
  }
  if (query.includes('@')) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(query)) return { error: t('search.error.email') };
    return { by: 'email', value: query };
  }
  const words = query.split(/[^\p{L}\p{N}']+/u).map((w) => w.replaceAll("'", '')).filter(Boolean);
  if (!words.length || words.some((w) => w.length < 2)) return { error: t('search.error.shortWord') };
  return { by: 'name', value: query };
}

function ask(by, value) {
  const v = encodeURIComponent(value);
  if (by === 'number') return api('GET', `/v1/search/tickets?number=${v}`);
  if (by === 'email') return api('GET', `/v1/search/tickets?email=${v}`);
  if (by === 'rut') return api('GET', `/v1/search/tickets?rut=${v}`);
  return api('GET', `/v1/search/tickets?name=${v}`);
}

/** The API's refusal of a query, said for the field (its 400 names the kind). */
function refusal(error) {
  const kind = Array.isArray(error.details) ? error.details[0]?.type : null;
  if (error.status === 400 && kind === 'rut_check_digit') return t('search.error.rutFormat');
  if (error.status === 400 && kind === 'rut_format') return t('search.error.rutFormat');
  if (error.status === 400) {
    const field = error.details?.[0]?.loc?.at(-1);
    if (field === 'email') return t('search.error.email');
    if (field === 'name') return t('search.error.shortWord');
    if (field === 'number') return t('search.error.number');
  }
  return null;
}

/** A RUT as people write it: 12.345.678-5 (the API gives 12345678-5). */
export function spellRut(rut) {
  const [body, check] = String(rut).split('-');
  return check ? `${body.replace(/\B(?=(\d{3})+(?!\d))/g, '.')}-${check}` : rut;
}

function clientName(client) {
  return client?.name || client?.email || client?.rut || t('search.noClient');
}

function Result({ item, by, onOpen }) {
  const href = `/tickets/${item.number}`;
  const open = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen(href);
  };
  let detail = null;
  if (by === 'email') detail = item.client?.email;
  else if (by === 'rut' && item.client?.rut) detail = t('search.rut', { rut: spellRut(item.client.rut) });
  return html`<li class="search-result">
    <a class="search-result__link" href=${href} onClick=${open}>
      <${ChannelIcon} type=${item.channel_type} />
      <span class="search-result__main">
        <span class="search-result__top">
          <span class="search-result__number">#${item.number}</span>
          <span class=${`search-result__status search-result__status--${item.status}`}>${t(`status.${item.status}`)}</span>
          <time class="search-result__when" datetime=${item.last_activity_at} title=${t('search.lastActivity', { when: formatDateTime(item.last_activity_at) })}>
            ${formatWhen(item.last_activity_at)}
          </time>
        </span>
        <span class="search-result__client">${clientName(item.client)}</span>
        ${detail && html`<span class="search-result__detail">${detail}</span>`}
      </span>
    </a>
  </li>`;
}

export function SearchPanel({ onClose }) {
  const fieldId = useId('search-field');
  const hintId = useId('search-hint');
  const busy = useSignal(false);
  const error = useSignal(null);
  const problem = useSignal(null);
  const mode = last.mode.value;

  async function search(event) {
    event.preventDefault();
    error.value = null;
    problem.value = null;
    const meant = understand(mode, last.query.value);
    if (meant.error) {
      error.value = meant.error;
      document.getElementById(fieldId)?.focus();
      return;
    }
    if (meant.switched) last.mode.value = meant.switched;
    busy.value = true;
    try {
      const found = await ask(meant.by, meant.value);
      last.answer.value = { by: meant.by, query: meant.by === 'number' ? meant.value : last.query.value.trim(), items: found.items };
    } catch (failure) {
      const said = refusal(failure);
      if (said) error.value = said;
      else problem.value = errorText(failure);
      last.answer.value = null;
    } finally {
      busy.value = false;
    }
  }

  function openTicket(href) {
    onClose();
    navigate(href);
  }

  const answer = last.answer.value;
  const count = answer?.items.length ?? 0;
  let status = '';
  if (busy.value) status = t('search.searching');
  else if (answer && count === 0) status = t(`search.none.${answer.by}`, { query: answer.query });
  else if (answer) status = count === 1 ? t('search.foundOne') : t('search.foundMany', { count });
  return html`<${Dialog} title=${t('search.title')} size="search" onClose=${onClose}>
    <form class="search-form" role="search" aria-label=${t('search.title')} onSubmit=${search} novalidate>
      <fieldset class="search-modes">
        <legend class="search-modes__legend">${t('search.by')}</legend>
        ${MODES.map(
          (value) => html`<label class=${`search-modes__option${value === mode ? ' search-modes__option--on' : ''}`}>
            <input
              type="radio"
              name="search-by"
              value=${value}
              checked=${value === mode}
              onChange=${() => {
                last.mode.value = value;
                error.value = null;
                document.getElementById(fieldId)?.focus();
              }}
            />
            <span>${t(`search.mode.${value}`)}</span>
          </label>`,
        )}
      </fieldset>
      <div class=${`field search-form__field${error.value ? ' field--invalid' : ''}`}>
        <label class="field__label" for=${fieldId}>${t(`search.field.${mode}`)}</label>
        <div class="search-form__row">
          <input
            id=${fieldId}
            class="field__input search-form__input"
            type="text"
            autofocus
            autocomplete="off"
            spellcheck="false"
            enterkeyhint="search"
            inputmode=${mode === 'number' ? 'numeric' : 'text'}
            placeholder=${t(`search.example.${mode}`)}
            value=${last.query.value}
            aria-invalid=${error.value ? 'true' : undefined}
            aria-describedby=${hintId}
            onInput=${(e) => {
              last.query.value = e.currentTarget.value;
              error.value = null;
            }}
          />
          <${Button} busy=${busy.value} class="button button--primary search-form__submit">${t('search.submit')}</${Button}>
        </div>
        <p class=${error.value ? 'field__error' : 'field__hint'} id=${hintId}>${error.value || t(`search.hint.${mode}`)}</p>
      </div>
    </form>
    ${problem.value && html`<div class="alert alert--error search-problem" role="alert">${problem.value}</div>`}
    <p class="search-status" role="status">${status}</p>
    ${count > 0 &&
    html`<ul class="search-results" aria-label=${t('search.results')}>
      ${answer.items.map((item) => html`<${Result} key=${item.number} item=${item} by=${answer.by} onOpen=${openTicket} />`)}
    </ul>`}
  </${Dialog}>`;
}
