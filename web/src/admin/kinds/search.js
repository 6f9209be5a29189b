// "Twitter Search": posts on X that name the company's keywords, read every two minutes
// with an app-only bearer token (chalicelib/channels/twitter_search.py). Connecting asks
// for the keywords, an optional language and the token; the token is never shown again.
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText, fieldErrors } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { navigate } from '../../router.js';
import { Alert, Button, Field } from '../../ui.js';
import { Badge } from '../kit.js';

/** The keywords typed one per line or separated by commas, each trimmed, none twice. */
export function keywordsOf(text) {
  return [...new Set(text.split(/[\n,]/).map((word) => word.trim()).filter(Boolean))];
}

function Connect() {
  const name = useSignal('');
  const keywords = useSignal('');
  const language = useSignal('');
  const token = useSignal('');
  const problems = useSignal({});
  const error = useSignal(null);
  const busy = useSignal(false);
  const submit = async (event) => {
    event.preventDefault();
    const words = keywordsOf(keywords.value);
    const found = {
      name: name.value.trim() ? null : t('search.nameMissing'),
      keywords: words.length ? null : t('search.keywordsMissing'),
      token: token.value.trim().length >= 10 ? null : t('search.tokenMissing'),
    };
    problems.value = found;
    error.value = null;
    if (found.name || found.keywords || found.token) return;
    busy.value = true;
    try {
      const channel = await api('POST', '/v1/channels', {
        type: 'twitter_search',
        name: name.value.trim(),
        identifiers: { keywords: words, language: language.value || null },
        credentials: { bearer_token: token.value.trim() },
      });
      navigate(`/admin/channels/${channel.id}`);
    } catch (failure) {
      const fields = fieldErrors(failure);
      const said = {
        name: fields.name,
        keywords: Object.entries(fields).find(([key]) => key.includes('keywords'))?.[1],
        token: Object.entries(fields).find(([key]) => key.includes('bearer_token'))?.[1],
      };
      if (said.name || said.keywords || said.token) problems.value = said;
      else error.value = errorText(failure);
      busy.value = false;
    }
  };
  return html`<form class="admin-form" onSubmit=${submit} noValidate>
    <p class="admin-head__description">${t('search.intro')}</p>
    ${error.value && html`<${Alert}>${error.value}</${Alert}>`}
    <${Field} label=${t('search.name')} value=${name.value} onInput=${(v) => (name.value = v)} error=${problems.value.name} maxlength="100" />
    <div class=${`field${problems.value.keywords ? ' field--invalid' : ''}`}>
      <label class="field__label" for="search-keywords">${t('search.keywords')}</label>
      <textarea
        id="search-keywords"
        class="field__input"
        rows="4"
        value=${keywords.value}
        onInput=${(e) => (keywords.value = e.currentTarget.value)}
        aria-invalid=${problems.value.keywords ? 'true' : undefined}
        aria-describedby="search-keywords-hint${problems.value.keywords ? ' search-keywords-error' : ''}"
      ></textarea>
      <p class="field__hint" id="search-keywords-hint">${t('search.keywordsHint')}</p>
      ${problems.value.keywords && html`<p class="field__error" id="search-keywords-error">${problems.value.keywords}</p>`}
    </div>
    <div class="field">
      <label class="field__label" for="search-language">${t('search.language')}</label>
      <select id="search-language" class="field__input field__select" value=${language.value} onChange=${(e) => (language.value = e.currentTarget.value)}>
        <option value="">${t('search.anyLanguage')}</option>
        ${['es', 'pt', 'en'].map((code) => html`<option value=${code}>${t(`lang.${code}`)}</option>`)}
      </select>
    </div>
    <${Field} label=${t('search.token')} type="password" autocomplete="off" value=${token.value} onInput=${(v) => (token.value = v)} error=${problems.value.token} hint=${t('search.tokenHint')} />
    <div class="admin-form__actions"><${Button} busy=${busy.value}>${t('search.connect')}</${Button}></div>
  </form>`;
}

function Details({ channel }) {
  const { keywords = [], language } = channel.identifiers || {};
  return html`<dl class="profile-facts">
    <dt>${t('search.keywords')}</dt>
    <dd>${keywords.map((word) => html`<${Badge} tone="info">${word}</${Badge}> `)}</dd>
    <dt>${t('search.language')}</dt>
    <dd>${language ? t(`lang.${language}`) : t('search.anyLanguage')}</dd>
    <dt>${t('search.token')}</dt>
    <dd>${channel.has_credentials ? t('search.tokenKept') : t('search.tokenNone')}</dd>
  </dl>`;
}

export const SEARCH_KINDS = { twitter_search: { Connect, Details } };
