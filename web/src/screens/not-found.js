// An address the console does not know.
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link } from '../router.js';
import { PublicPage, ScreenTitle, useTitle } from '../ui.js';

export function NotFoundScreen() {
  useTitle(t('notFound.title'));
  return html`<${PublicPage}>
    <${ScreenTitle}>${t('notFound.title')}</${ScreenTitle}>
    <p class="lead">${t('notFound.text')}</p>
    <p class="card__back"><${Link} href="/">← ${t('notFound.back')}</${Link}></p>
  </${PublicPage}>`;
}
