// "Mesón de ayuda": the signed-in person's home. This first slice has the header
// (who is signed in, sign out); the columns come next.
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { localeTag, t } from '../i18n.js';
import { timezone } from '../format.js';
import { me, signOut } from '../session.js';
import { Button, Logo, ScreenTitle, useTitle } from '../ui.js';

function initials(user) {
  return `${user.first_name.charAt(0)}${user.last_name.charAt(0)}`.toUpperCase();
}

/** The company's current day and time, in its timezone. */
function useCompanyClock() {
  const at = useSignal(new Date());
  useEffect(() => {
    const timer = setInterval(() => (at.value = new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return new Intl.DateTimeFormat(localeTag.value, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: timezone.value,
  }).format(at.value);
}

export function AppHeader() {
  const { user, tenant } = me.value;
  const busy = useSignal(false);
  const name = `${user.first_name} ${user.last_name}`;
  return html`<header class="app-header">
    <div class="app-header__brand">
      <${Logo} inverted />
      <span class="app-header__company">${tenant.name}</span>
    </div>
    <nav class="app-header__nav" aria-label=${t('header.nav')}>
      <a href="/" class="app-header__link" aria-current="page">${t('board.title')}</a>
    </nav>
    <section class="account" aria-label=${t('header.account')}>
      <span class="account__avatar" aria-hidden="true">${initials(user)}</span>
      <span class="account__who">
        <span class="account__name">${name}</span>
        <span class="account__role">${t(`role.${user.role}`)}</span>
      </span>
      <${Button}
        type="button"
        variant="ghost"
        busy=${busy.value}
        onClick=${() => {
          busy.value = true;
          signOut();
        }}
      >
        ${t('header.logout')}
      </${Button}>
    </section>
  </header>`;
}

export function BoardScreen() {
  useTitle(t('board.title'));
  const { user, tenant } = me.value;
  const clock = useCompanyClock();
  const plan = tenant.plan === 'free' ? t('board.plan.free') : tenant.plan;
  return html`<div class="app">
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <${AppHeader} />
    <main id="main" class="app__main">
      <div class="board-head">
        <div>
          <${ScreenTitle}>${t('board.title')}</${ScreenTitle}>
          <p class="board-head__greeting">${t('board.greeting', { name: user.first_name })} · <span class="board-head__clock">${clock}</span></p>
        </div>
      </div>
      <section class="empty" aria-labelledby="empty-title">
        <div class="empty__art" aria-hidden="true">
          ${[0, 1, 2].map(
            (column) => html`<div class="empty__column">
              <span class="empty__bar"></span>
              ${[0, 1, 2].slice(0, 3 - (column % 2)).map(() => html`<span class="empty__card"><span></span><span></span></span>`)}
            </div>`,
          )}
        </div>
        <h2 class="empty__title" id="empty-title">${t('board.emptyTitle')}</h2>
        <p class="empty__text">${t('board.emptyText')}</p>
        <dl class="facts">
          <div><dt>${t('board.company')}</dt><dd>${tenant.name}</dd></div>
          <div><dt>${t('board.plan')}</dt><dd>${plan}</dd></div>
          <div><dt>${t('board.role')}</dt><dd>${t(`role.${user.role}`)}</dd></div>
          <div><dt>${t('board.timezone')}</dt><dd>${tenant.timezone.replaceAll('_', ' ')}</dd></div>
        </dl>
      </section>
    </main>
  </div>`;
}
