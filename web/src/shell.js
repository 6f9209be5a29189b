// The signed-in console's frame: the header every screen of the help desk shows (the
// company, the navigation, the signed-in person and their session).
import { useSignal } from '@preact/signals';
import { html } from './html.js';
import { t } from './i18n.js';
import { me, signOut } from './session.js';
import { Button, Logo } from './ui.js';

export function initials(first, last) {
  return `${(first || '').charAt(0)}${(last || '').charAt(0)}`.toUpperCase();
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
      <span class="account__avatar" aria-hidden="true">${initials(user.first_name, user.last_name)}</span>
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
