// "Últimas actualizaciones": the product's releases from GET /v1/updates — the newest
// on the login page, every one on /updates.
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { errorText } from '../errors.js';
import { formatDay } from '../format.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link } from '../router.js';
import { Alert, PublicPage, ScreenTitle, useTitle } from '../ui.js';

/** ``{releases, error}``: loaded once per page load, shared by both screens. */
const feed = signal({ releases: null, error: null });
let loading = null;

function loadUpdates() {
  loading ??= api('GET', '/v1/updates?limit=100').then(
    (releases) => (feed.value = { releases, error: null }),
    (error) => {
      loading = null;
      feed.value = { releases: null, error };
    },
  );
  return loading;
}

function releaseName(release) {
  return release.date ? t('updates.version', { version: release.version }) : t('updates.latest');
}

function bullets(release) {
  return Object.values(release.changes).flat();
}

/** The newest release's first changes, for the login page's side panel. */
export function LatestUpdates({ count = 3 }) {
  useEffect(() => {
    loadUpdates();
  }, []);
  const { releases, error } = feed.value;
  if (error) return html`<p class="news__note">${t('updates.failed')}</p>`;
  if (!releases) return html`<p class="news__note" aria-busy="true">${t('app.loading')}</p>`;
  if (!releases.length) return html`<p class="news__note">${t('updates.empty')}</p>`;
  const [latest] = releases;
  const items = bullets(latest);
  return html`<div class="news__release">
    <p class="news__meta">
      <span class="news__badge">${releaseName(latest)}</span>
      ${latest.date && html`<time datetime=${latest.date}>${formatDay(latest.date)}</time>`}
    </p>
    <ul class="news__list">
      ${items.slice(0, count).map((item) => html`<li class="news__item"><span class="news__text">${item}</span></li>`)}
    </ul>
    ${items.length > count && html`<p class="news__more">${t('updates.more', { count: items.length - count })}</p>`}
  </div>`;
}

export function UpdatesScreen() {
  useTitle(t('updates.pageTitle'));
  useEffect(() => {
    loadUpdates();
  }, []);
  const { releases, error } = feed.value;
  return html`<${PublicPage} wide>
    <${ScreenTitle}>${t('updates.pageTitle')}</${ScreenTitle}>
    <p class="lead">${t('updates.pageIntro')}</p>
    ${error && html`<${Alert}>${errorText(error)}</${Alert}>`}
    ${!releases && !error && html`<p aria-busy="true">${t('app.loading')}</p>`}
    ${releases?.map(
      (release) => html`<article class="release" aria-labelledby=${`release-${release.version}`}>
        <header class="release__header">
          <h2 class="release__name" id=${`release-${release.version}`}>${releaseName(release)}</h2>
          ${release.date && html`<time class="release__date" datetime=${release.date}>${formatDay(release.date)}</time>`}
        </header>
        ${Object.entries(release.changes).map(
          ([section, items]) => html`<section class="release__section">
            <h3 class=${`release__kind release__kind--${section}`}>${t(`updates.section.${section}`)}</h3>
            <ul class="release__list">${items.map((item) => html`<li>${item}</li>`)}</ul>
          </section>`,
        )}
      </article>`,
    )}
    <p class="card__back"><${Link} href="/login">← ${t('updates.back')}</${Link}></p>
  </${PublicPage}>`;
}
