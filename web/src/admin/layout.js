// The frame of the administration and portal pages: the console's header, a side
// navigation listing only the pages the role may open (grouped by SECTIONS), and the page.
import './admin.css';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { Link, route } from '../router.js';
import { AppHeader } from '../shell.js';
import { PageHead } from '../ui.js';
import { navPages, SECTIONS } from './pages.js';

function SideNav() {
  const here = route.value.path;
  const pages = navPages();
  const groups = SECTIONS.map((section) => [section, pages.filter((page) => page.section === section)]).filter(
    ([, list]) => list.length,
  );
  return html`<nav class="admin-nav" aria-label=${t('admin.nav')}>
    ${groups.map(
      ([section, list]) => html`<div class="admin-nav__group">
        <p class="admin-nav__section" id=${`admin-section-${section}`}>${t(`admin.section.${section}`)}</p>
        <ul class="admin-nav__list" aria-labelledby=${`admin-section-${section}`}>
          ${list.map(
            (page) => html`<li>
              <${Link}
                href=${page.path}
                class="admin-nav__link"
                aria-current=${here === page.path || here.startsWith(`${page.path}/`) ? 'page' : undefined}
                >${t(page.title)}</${Link}
              >
            </li>`,
          )}
        </ul>
      </div>`,
    )}
  </nav>`;
}

/** An administration page: its title (the tab's too, and the focus after a move), an
 * optional description and actions beside the title, and its content. */
export function AdminPage({ title, description, actions, back, children, wide = false }) {
  return html`<div class="app admin">
    <${AppHeader} />
    <div class="admin__body">
      ${navPages().length > 0 && html`<${SideNav} />`}
      <main class=${`admin__main${wide ? ' admin__main--wide' : ''}`} id="main">
        <${PageHead} title=${title} description=${description} actions=${actions} back=${back} />
        ${children}
      </main>
    </div>
  </div>`;
}

/** An address of a page the role may not open. */
export function NotAllowedScreen() {
  return html`<${AdminPage} title=${t('admin.notAllowed.title')}>
    <div class="admin-empty" role="alert">
      <p class="admin-empty__title">${t('admin.notAllowed.text')}</p>
      <p><${Link} href="/">${t('admin.notAllowed.back')}</${Link}></p>
    </div>
  </${AdminPage}>`;
}
